"""Conversations: stored turns of questions and answers, owned by a principal in a workspace."""
