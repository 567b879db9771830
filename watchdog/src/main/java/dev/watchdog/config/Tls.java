package dev.watchdog.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS for a listener, in the shape of Prometheus's {@code --web.config.file} {@code tls_server_config}:
 * cert_file and key_file (PEM; relative to the config file's folder), and for mutual TLS client_ca_file
 * (PEM) with client_auth_type, one of NoClientCert (default), VerifyClientCertIfGiven or
 * RequireAndVerifyClientCert. A client CA without a policy that verifies is refused, as Prometheus
 * refuses it; RequestClientCert and RequireAnyClientCert, which take a certificate unverified, are refused.
 */
public record Tls(@JsonProperty("cert_file") String certFile, @JsonProperty("key_file") String keyFile,
                  @JsonProperty("client_ca_file") @Nullable String clientCaFile,
                  @JsonProperty("client_auth_type") String clientAuthType) {

    /** Verifies a client certificate when one is given; the others may come without. */
    public static final String VERIFY_IF_GIVEN = "VerifyClientCertIfGiven";
    /** Every client must present a certificate the client CA signed. */
    public static final String REQUIRE_AND_VERIFY = "RequireAndVerifyClientCert";
    static final String NONE = "NoClientCert";

    public Tls {
        if (certFile == null || certFile.isBlank() || keyFile == null || keyFile.isBlank()) {
            throw new IllegalArgumentException("tls_server_config needs cert_file and key_file");
        }
        clientAuthType = clientAuthType == null || clientAuthType.isBlank() ? NONE : clientAuthType;
        if (!List.of(NONE, VERIFY_IF_GIVEN, REQUIRE_AND_VERIFY).contains(clientAuthType)) {
            throw new IllegalArgumentException("client_auth_type must be NoClientCert, VerifyClientCertIfGiven or "
                    + "RequireAndVerifyClientCert (a certificate taken unverified is no authentication)");
        }
        if (clientCaFile != null && clientAuthType.equals(NONE)) {
            throw new IllegalArgumentException("client_ca_file is set but client_auth_type does not verify clients: set "
                    + "client_auth_type to RequireAndVerifyClientCert or VerifyClientCertIfGiven");
        }
        if (clientCaFile == null && !clientAuthType.equals(NONE)) {
            throw new IllegalArgumentException("client_auth_type " + clientAuthType + " needs client_ca_file");
        }
    }
}
