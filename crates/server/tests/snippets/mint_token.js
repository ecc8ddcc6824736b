const jwt = require("jsonwebtoken"); // npm install jsonwebtoken

function jobToken(jobId, secret) {
  return jwt.sign({ sub: String(jobId) }, secret, { algorithm: "HS256", expiresIn: 600 }); // ten minutes
}
