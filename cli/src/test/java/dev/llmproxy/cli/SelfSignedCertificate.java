package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed EC P-256 certificate for {@code localhost} and {@code 127.0.0.1}, written as the two PEM files a TLS
 * server such as nginx reads (certificate, PKCS#8 key), and a client {@link SSLContext} that trusts it.
 */
final class SelfSignedCertificate {
    private final X509Certificate certificate;
    private final Path certificatePem;
    private final Path keyPem;

    private SelfSignedCertificate(X509Certificate certificate, Path certificatePem, Path keyPem) {
        this.certificate = certificate;
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
    }

    /** Generates a key pair and certificate valid from a day ago for a week, and writes both into {@code dir}. */
    static SelfSignedCertificate create(Path dir, Instant now)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keyPair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(7))),
                subject,
                keyPair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .build(keyPair.getPrivate())));
        Path certificatePem = Files.writeString(
                dir.resolve("fullchain.pem"), pem("CERTIFICATE", certificate.getEncoded()), US_ASCII);
        Path keyPem = Files.writeString(
                dir.resolve("privkey.pem"), pem("PRIVATE KEY", keyPair.getPrivate().getEncoded()), US_ASCII);
        return new SelfSignedCertificate(certificate, certificatePem, keyPem);
    }

    /** The certificate as PEM ({@code ssl_certificate}). */
    Path certificatePem() {
        return certificatePem;
    }

    /** The PKCS#8 private key as PEM ({@code ssl_certificate_key}). */
    Path keyPem() {
        return keyPem;
    }

    /** A TLS client context that trusts this certificate and nothing else. */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("nginx", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] {'\n'});
        return "-----BEGIN " + type + "-----\n" + encoder.encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
