#!/usr/bin/env python3
"""The smallest SMTP server posttls-finger can talk to: a banner, EHLO with
STARTTLS, then TLS with the given certificate file sent as the whole chain
(python ssl's load_cert_chain sends every certificate of the file), EHLO and
QUIT again. One connection at a time, for the DANE tests only.
usage: smtp_starttls_server.py --cert FULLCHAIN --key KEY [--listen 127.0.0.1] [--port 25]"""
import argparse, socket, ssl


def serve(conn, ctx, host):
    f = conn.makefile("rwb", buffering=0)
    f.write(f"220 {host} ESMTP test\r\n".encode())
    tls = None
    while True:
        line = (tls or f).readline()
        if not line:
            return
        cmd = line.decode(errors="replace").strip().upper()
        out = tls or f
        if cmd.startswith("EHLO") or cmd.startswith("HELO"):
            ext = "" if tls else "250-STARTTLS\r\n"
            out.write(f"250-{host}\r\n{ext}250 8BITMIME\r\n".encode())
        elif cmd == "STARTTLS" and not tls:
            f.write(b"220 2.0.0 go ahead\r\n")
            tls_sock = ctx.wrap_socket(conn, server_side=True)
            tls = tls_sock.makefile("rwb", buffering=0)
        elif cmd == "QUIT":
            out.write(b"221 2.0.0 bye\r\n")
            return
        else:
            out.write(b"250 2.0.0 ok\r\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, default=25)
    p.add_argument("--host", default="mail.example.org")
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.listen, a.port))
    s.listen(4)
    print("listening", flush=True)
    while True:
        conn, _ = s.accept()
        conn.settimeout(30)
        try:
            serve(conn, ctx, a.host)
        except (OSError, ssl.SSLError) as e:
            print("connection:", e, flush=True)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
