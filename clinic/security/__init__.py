"""Sign-in security: two-factor sign-in (django-otp), lockout (django-axes), password-reset limits and API tokens.

docs/security.md explains the rules for a clinic; the code here keeps them: services.py writes, selectors.py reads.
"""
