"""The whole production system as CDK code (v2, Python). `make synth` writes cdk.out/ offline."""
