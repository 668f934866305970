<html>
<body>
  <p>Hi {{name}},</p>
  <p>{% if kind == "overdue" %}Your task <strong>{{title}}</strong> was due {{due}} and is not complete yet.{% else %}Your task <strong>{{title}}</strong> is due {{due}}.{% endif %}</p>
  <p>You are getting this because reminders are on for your taskforge account.</p>
</body>
</html>
