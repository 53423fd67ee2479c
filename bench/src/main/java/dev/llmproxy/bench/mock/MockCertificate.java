package dev.llmproxy.bench.mock;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed EC P-256 certificate for {@code localhost} and {@code 127.0.0.1}, generated with BouncyCastle and
 * written as PEM to a temporary file so that clients in other processes can trust it.
 *
 * <p>Thread-safety: immutable after construction; {@link #deleteFile()} is idempotent.
 */
final class MockCertificate {
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final Path pemPath;

    private MockCertificate(KeyPair keyPair, X509Certificate certificate, Path pemPath) {
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.pemPath = pemPath;
    }

    static MockCertificate generate(Clock clock) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keyPair = generator.generateKeyPair();
            X509Certificate certificate = selfSign(keyPair, clock.instant());
            Path pemPath = Files.createTempFile("llmproxy-mock-", ".pem");
            Files.writeString(pemPath, toPem(certificate), StandardCharsets.US_ASCII);
            return new MockCertificate(keyPair, certificate, pemPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the mock certificate", e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate the mock certificate", e);
        }
    }

    X509Certificate certificate() {
        return certificate;
    }

    Path pemPath() {
        return pemPath;
    }

    SslContext newServerContext() {
        try {
            return SslContextBuilder.forServer(keyPair.getPrivate(), certificate).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the mock TLS context", e);
        }
    }

    void deleteFile() {
        try {
            Files.deleteIfExists(pemPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + pemPath, e);
        }
    }

    private static X509Certificate selfSign(KeyPair keyPair, Instant now)
            throws CertIOException, OperatorCreationException, GeneralSecurityException {
        X500Name subject = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keyPair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
        X509CertificateHolder holder =
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String toPem(X509Certificate certificate) throws CertificateEncodingException {
        Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] {'\n'});
        return "-----BEGIN CERTIFICATE-----\n" + encoder.encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
