"""Accounts: registration and sign-in, passwords, the person's own data (export, deletion)."""
