package dev.watchdog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The server's TLS, proxy, limits and token scopes as a config file gives them: what is refused, and why. */
class ServerConfigTest {

    static WatchdogConfig.Server server(String yaml) {
        return new ConfigLoader(Map.<String, String>of()::get).parse("prometheus: {url: \"http://localhost:9090\"}\nserver:\n" + yaml,
                "watchdog.yml").server();
    }

    static String refusal(String yaml) {
        return assertThrows(ConfigException.class, () -> server(yaml)).getMessage();
    }

    @Test
    @DisplayName("tls_server_config takes Prometheus's keys; a client CA that verifies nobody, or an unverified policy, is refused")
    void tls() {
        Tls tls = server("  tls_server_config: {cert_file: a.crt, key_file: a.key, client_ca_file: ca.crt,"
                + " client_auth_type: RequireAndVerifyClientCert}\n").tls();
        assertEquals("ca.crt", tls.clientCaFile());
        assertEquals("https://localhost:8080", server("  tls_server_config: {cert_file: a.crt, key_file: a.key}\n").externalUrl());
        assertTrue(refusal("  tls_server_config: {cert_file: a.crt, key_file: a.key, client_ca_file: ca.crt}\n")
                .contains("client_ca_file is set but client_auth_type does not verify clients"));
        assertTrue(refusal("  tls_server_config: {cert_file: a.crt, key_file: a.key, client_ca_file: ca.crt,"
                + " client_auth_type: RequireAnyClientCert}\n").contains("client_auth_type must be"));
        assertTrue(refusal("  tls_server_config: {cert_file: a.crt}\n").contains("needs cert_file and key_file"));
    }

    @Test
    @DisplayName("proxy: only the listed addresses are trusted; users and groups give the highest role; bad CIDRs are refused")
    void proxy() throws Exception {
        ProxyAuth proxy = server("  proxy: {trusted: [10.0.0.0/8, \"::1\"], users: {\"*\": viewer, lead: admin},"
                + " groups: {sre: oncall}}\n").proxy();
        assertTrue(proxy.trusts(InetAddress.getByName("10.20.30.40")));
        assertTrue(proxy.trusts(InetAddress.getByName("::1")));
        assertFalse(proxy.trusts(InetAddress.getByName("11.0.0.1")));
        assertFalse(proxy.trusts(InetAddress.getByName("127.0.0.1")));
        assertEquals(Optional.of(Role.ONCALL), proxy.role("alice", List.of("eng", "sre")));
        assertEquals(Optional.of(Role.ADMIN), proxy.role("lead", List.of("sre")));
        assertEquals(Optional.of(Role.VIEWER), proxy.role("bob", List.of()));
        assertEquals("X-Forwarded-User", proxy.userHeader());
        assertTrue(refusal("  proxy: {trusted: [10.0.0.0/33], users: {a: viewer}}\n").contains("is not an address or a CIDR"));
        assertTrue(refusal("  proxy: {trusted: [proxy.example], users: {a: viewer}}\n").contains("is not an address or a CIDR"));
        assertTrue(refusal("  proxy: {trusted: [10.0.0.1], userHeader: Authorization, users: {a: viewer}}\n")
                .contains("is not a header name to trust"));
        assertTrue(refusal("  proxy: {trusted: [10.0.0.1]}\n").contains("give users or groups their roles"));
    }

    @Test
    @DisplayName("a scope is for deployer and oncall tokens; its globs match whole names")
    void scopes() {
        Scope scope = new Scope(List.of("api", "web-*"), List.of("prod?"));
        assertTrue(scope.allows("web-eu", "prod1"));
        assertFalse(scope.allows("api-gateway", "prod1"));
        assertFalse(scope.allows("api", "production"));
        assertTrue(refusal("  tokens: [{name: v, role: viewer, token: t, scope: {services: [api]}}]\n")
                .contains("scope is for deployer and oncall tokens, not viewer"));
        assertTrue(refusal("  tokens: [{name: d, role: deployer, token: t, scope: {}}]\n")
                .contains("scope needs services, environments or both"));
    }

    @Test
    @DisplayName("limits default to 10s, 60s and 1024 connections")
    void limits() {
        assertEquals(Limits.DEFAULT, server("  listen: 127.0.0.1:0\n").limits());
        assertEquals(1024, Limits.DEFAULT.maxConnections());
        assertTrue(refusal("  limits: {maxConnections: 0}\n").contains("maxConnections must be at least 1"));
    }
}
