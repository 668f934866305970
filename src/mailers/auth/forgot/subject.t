Reset your taskforge password
