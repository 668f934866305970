<html>
<body>
  <p>Hi {{name}},</p>
  <p>Someone asked to reset the password of your taskforge account. If it was you, send this token
  to <code>POST /auth/reset</code> with your new password within {{ttl_minutes}} minutes:</p>
  <p><code>{{token}}</code></p>
  <p>The token works once. If you did not ask for a reset, ignore this email: nothing changes.</p>
</body>
</html>
