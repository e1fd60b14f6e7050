"""A throw-away certificate authority for the MTA-STS endpoint tests: a CA
and server certificates for given DNS names, made with the openssl CLI
(ECDSA P-256, valid two days)."""
import subprocess


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def make_ca(d):
    """d/ca.pem and d/ca.key."""
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
       "-subj", "/CN=mailns test CA", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem",
       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")


def make_cert(d, name, san):
    """d/NAME.pem and d/NAME.key for the DNS names san, signed by the CA in d."""
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={san[0]}",
       "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr")
    with open(f"{d}/{name}.ext", "w") as f:
        f.write("subjectAltName=" + ",".join("DNS:" + n for n in san) + "\nextendedKeyUsage=serverAuth\n")
    sh("openssl", "x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
       "-CAcreateserial", "-days", "2", "-extfile", f"{d}/{name}.ext", "-out", f"{d}/{name}.pem")
