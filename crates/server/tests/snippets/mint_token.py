import time

import jwt  # pip install PyJWT


def job_token(job_id: int, secret: str) -> str:
    claims = {"sub": str(job_id), "exp": int(time.time()) + 600}  # ten minutes
    return jwt.encode(claims, secret, algorithm="HS256")
