"""Packaging checks: Dockerfile, docker-compose.yml and deploy/k8s, without a Docker engine."""
