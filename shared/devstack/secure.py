"""Local certificates and SCRAM credentials for the embedded Kafka's secure mode.

``newsflow stack up --secure`` makes, once per stack home, a CA and a broker certificate for
``localhost``/127.0.0.1 with the JDK's ``keytool`` (so nothing beyond the JDK is needed), and a
SCRAM user with a random password. Clients trust ``ca.pem``; the settings to use are written to
``client.env`` next to it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from shared.contracts.settings import Settings
from shared.devstack.base import StackError

SAN = "SAN=dns:localhost,ip:127.0.0.1"


@dataclass(frozen=True)
class SecureMaterial:
    folder: Path
    username: str
    password: str
    store_password: str

    @property
    def cafile(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.folder / "broker.p12"

    @property
    def truststore(self) -> Path:
        return self.folder / "truststore.p12"

    def client_settings(self, settings: Settings) -> Settings:
        """``settings`` with the secure stack's Kafka security."""
        return settings.model_copy(update=self.client_env_values())

    def client_env_values(self) -> dict[str, str]:
        return {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "SCRAM-SHA-512",
                "kafka_sasl_username": self.username, "kafka_sasl_password": self.password,
                "kafka_ssl_cafile": str(self.cafile)}

    def client_env(self) -> dict[str, str]:
        return {f"NEWSFLOW_{k.upper()}": v for k, v in self.client_env_values().items()}


def secure_folder(settings: Settings) -> Path:
    return settings.stack_home / "kafka" / "secure"


def load_material(settings: Settings) -> SecureMaterial | None:
    """The secure mode's material when this stack home runs Kafka securely, else None."""
    path = secure_folder(settings) / "credentials.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return SecureMaterial(path.parent, data["username"], data["password"], data["store_password"])


def ensure_material(settings: Settings, java_home: Path) -> SecureMaterial:
    """Create the CA, the broker's key store and the credentials once; reuse them afterwards."""
    existing = load_material(settings)
    if existing is not None and existing.keystore.exists() and existing.cafile.exists():
        return existing
    folder = secure_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    material = SecureMaterial(folder, settings.kafka_sasl_username or "newsflow",
                              settings.kafka_sasl_password or secrets.token_urlsafe(24), secrets.token_urlsafe(24))
    for stale in ("ca.p12", "ca.pem", "broker.p12", "broker.csr", "broker.pem", "truststore.p12"):
        (folder / stale).unlink(missing_ok=True)
    keytool = str(java_home / "bin" / "keytool")
    store = ["-storetype", "PKCS12", "-storepass", material.store_password]
    steps = [
        [keytool, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
         "-dname", "CN=newsflow local CA", "-ext", "bc:c", "-keystore", str(folder / "ca.p12"), *store],
        [keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", str(folder / "ca.p12"), *store,
         "-file", str(material.cafile)],
        [keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
         "-dname", "CN=localhost", "-ext", SAN, "-keystore", str(material.keystore), *store],
        [keytool, "-certreq", "-alias", "broker", "-keystore", str(material.keystore), *store,
         "-file", str(folder / "broker.csr")],
        [keytool, "-gencert", "-alias", "ca", "-keystore", str(folder / "ca.p12"), *store, "-rfc",
         "-infile", str(folder / "broker.csr"), "-outfile", str(folder / "broker.pem"), "-validity", "3650",
         "-ext", SAN, "-ext", "KU=digitalSignature,keyEncipherment", "-ext", "EKU=serverAuth,clientAuth"],
        [keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", str(material.cafile),
         "-keystore", str(material.keystore), *store],
        [keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", str(folder / "broker.pem"),
         "-keystore", str(material.keystore), *store],
        [keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", str(material.cafile),
         "-keystore", str(material.truststore), *store],
    ]
    for cmd in steps:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise StackError(f"kafka: creating the TLS material failed ({cmd[1]}):\n{result.stdout}{result.stderr}")
    credentials = folder / "credentials.json"
    credentials.write_text(json.dumps({"username": material.username, "password": material.password,
                                       "store_password": material.store_password}))
    credentials.chmod(0o600)
    env = folder / "client.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in material.client_env().items()))
    env.chmod(0o600)
    os.chmod(material.keystore, 0o600)
    return material
