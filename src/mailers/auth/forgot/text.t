Hi {{name}},

Someone asked to reset the password of your taskforge account. If it was you,
send this token to POST /auth/reset with your new password within {{ttl_minutes}} minutes:

{{token}}

The token works once. If you did not ask for a reset, ignore this email: nothing changes.
