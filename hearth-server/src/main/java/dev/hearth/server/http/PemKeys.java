package dev.hearth.server.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Reads a PEM certificate chain and PEM private key, as {@code certbot} or {@code openssl} write them, for TLS. */
final class PemKeys {

    private static final char[] PASSWORD = "hearth".toCharArray();

    private PemKeys() {
    }

    static SslContextFactory.Server sslContextFactory(HttpEdge.Tls tls) {
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(keyStore(tls.certificate(), tls.privateKey()));
        f.setKeyStorePassword(new String(PASSWORD));
        f.setKeyManagerPassword(new String(PASSWORD));
        f.setSniRequired(false);
        return f;
    }

    /** An in-memory key store holding the key under the chain; a clear message for what cannot be read. */
    static KeyStore keyStore(Path certificate, Path privateKey) {
        List<? extends Certificate> chain;
        try {
            chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate))));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + certificate + " is not a readable PEM certificate: "
                    + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("--tls-cert " + certificate + " holds no certificate");
        }
        PrivateKey key = privateKey(privateKey);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("hearth", key, PASSWORD, chain.toArray(Certificate[]::new));
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-key " + privateKey + " does not go with --tls-cert "
                    + certificate + ": " + e.getMessage(), e);
        }
    }

    static boolean selfSigned(Path certificate) {
        try {
            var first = (java.security.cert.X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
            return first.getSubjectX500Principal().equals(first.getIssuerX500Principal());
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            return false; // the edge itself reports what is wrong with the file
        }
    }

    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-key " + file + " cannot be read: " + e.getMessage(), e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("--tls-key " + file + " is not a PEM PKCS #8 private key (BEGIN "
                    + "PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm; try the next
            }
        }
        throw new IllegalArgumentException("--tls-key " + file + " is not an RSA, EC or Ed25519 private key");
    }
}
