"""The pages every portal shares: layout, sign-in, problems."""
