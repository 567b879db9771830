package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The built jar serving the API and the page over TLS with mutual TLS (tls_server_config as in
 * Prometheus's web config), with a CA, a server and a client certificate made here by openssl.
 */
class TlsIT {

    static final Path DIR = Path.of("target", "it", "tls");
    static RealDaemon daemon;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        String openssl = RealProcess.binary("openssl", "openssl");
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
                "-subj", "/CN=watchdog test CA");
        for (String who : List.of("server", "client")) {
            run(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
                    "-subj", "/CN=" + (who.equals("server") ? "127.0.0.1" : "deploy-bot"));
            run(openssl, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".crt", "-days", "1", "-extfile", "san.ext");
        }
        run(openssl, "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:changeit");
        daemon = RealDaemon.start(DIR, p -> {
            port = p;
            return """
                    prometheus: {url: "http://127.0.0.1:9", timeout: 1s}
                    evaluation: {interval: 1h}
                    rules: [rules/*.yml]
                    storage: {path: data/}
                    server:
                      listen: 127.0.0.1:%d
                      tls_server_config:
                        cert_file: server.crt
                        key_file: server.key
                        client_ca_file: ca.crt
                        client_auth_type: RequireAndVerifyClientCert
                      tokens:
                        - {name: tests, role: deployer, token: "%s"}
                    rollback:
                      default:
                        webhook: {url: "http://127.0.0.1:9/rollback", timeout: 1s}
                    """.formatted(p, RealDaemon.TOKEN);
        }, """
                groups:
                  - name: g
                    rules:
                      - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p1: "> 0.01"}
                """, Map.of(), context(true));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(DIR.resolve("openssl.log").toFile()).start();
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + Files.readString(DIR.resolve("openssl.log")));
    }

    /** Trusts the test CA; presents the client certificate when {@code withCertificate}. */
    static SSLContext context(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(DIR.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (withCertificate) {
            try (InputStream p12 = Files.newInputStream(DIR.resolve("client.p12"))) {
                keys.load(p12, "changeit".toCharArray());
            }
        }
        kmf.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    static int status(SSLContext tls, String scheme, String path) {
        HttpClient client = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + RealDaemon.TOKEN).build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("with a client certificate the CA signed, the API and the on-call page answer over HTTPS")
    void mutualTls() throws Exception {
        SSLContext client = context(true);
        assertEquals(200, status(client, "https", "/api/v1/releases"));
        assertEquals(200, status(client, "https", "/"));
        assertTrue(daemon.log().contains("watchdog ready"), daemon.log());
    }

    @Test
    @DisplayName("without a client certificate, or over plain HTTP, nothing is answered")
    void refused() throws Exception {
        assertEquals(0, status(context(false), "https", "/healthz"), "the handshake fails without a client certificate");
        assertEquals(0, status(null, "http", "/healthz"), "no plain HTTP on the TLS port");
    }
}
