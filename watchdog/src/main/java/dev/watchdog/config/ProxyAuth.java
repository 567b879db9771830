package dev.watchdog.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * People signed in by an authenticating proxy in front of the API and the page (oauth2-proxy and
 * the like): a request from one of the {@code trusted} addresses (CIDRs) that carries
 * {@code userHeader} is that person's, with the highest role {@code users} (by name; {@code "*"}:
 * anyone the proxy signed in) or {@code groups} gives them. The same header from any other address
 * is ignored. Optional: userHeader (X-Forwarded-User), groupsHeader (none; comma-separated, as
 * oauth2-proxy's X-Forwarded-Groups), users, groups (at least one of them).
 */
public record ProxyAuth(List<String> trusted, String userHeader, @Nullable String groupsHeader, Map<String, Role> users,
                        Map<String, Role> groups) {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]+");

    public ProxyAuth {
        if (trusted == null || trusted.isEmpty()) {
            throw new IllegalArgumentException("proxy.trusted: name the proxies' addresses (CIDRs), e.g. [10.0.0.5/32]");
        }
        trusted = List.copyOf(trusted);
        trusted.forEach(ProxyAuth::cidr);
        userHeader = userHeader == null ? "X-Forwarded-User" : userHeader;
        for (String header : Stream.of(userHeader, groupsHeader).filter(h -> h != null).toList()) {
            if (!HEADER.matcher(header).matches() || header.equalsIgnoreCase("Authorization")) {
                throw new IllegalArgumentException("proxy: '" + header + "' is not a header name to trust");
            }
        }
        users = users == null ? Map.of() : Map.copyOf(users);
        groups = groups == null ? Map.of() : Map.copyOf(groups);
        if (users.isEmpty() && groups.isEmpty()) {
            throw new IllegalArgumentException("proxy: give users or groups their roles");
        }
    }

    /** Whether a request from this address is the proxy's: only then are its headers believed. */
    public boolean trusts(InetAddress from) {
        return trusted.stream().anyMatch(c -> contains(cidr(c), from));
    }

    /** The highest role the person's name or groups give, or none. */
    public Optional<Role> role(String user, List<String> memberOf) {
        return Stream.concat(Stream.of(users.get(user), users.get("*")), memberOf.stream().map(groups::get))
                .filter(r -> r != null).max(Role::compareTo);
    }

    /** A network and how many of its leading bits count. */
    private static final class Cidr {
        private final byte[] network;
        private final int bits;

        Cidr(byte[] network, int bits) {
            this.network = network.clone();
            this.bits = bits;
        }

        byte[] network() {
            return network.clone();
        }

        int bits() {
            return bits;
        }
    }

    private static Cidr cidr(String text) {
        String[] parts = text.split("/", 2);
        try {
            if (!LITERAL.matcher(parts[0]).matches()) {
                throw new UnknownHostException();
            }
            byte[] address = InetAddress.getByName(parts[0]).getAddress();
            int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (bits < 0 || bits > address.length * 8) {
                throw new NumberFormatException();
            }
            return new Cidr(address, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("proxy.trusted: '" + text + "' is not an address or a CIDR such as 10.0.0.0/8");
        }
    }

    private static boolean contains(Cidr cidr, InetAddress from) {
        byte[] address = from.getAddress();
        if (address.length != cidr.network().length) {
            return false;
        }
        for (int bit = 0; bit < cidr.bits(); bit++) {
            int mask = 0x80 >> (bit % 8);
            if ((address[bit / 8] & mask) != (cidr.network()[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
