package dev.kcwarden.guard;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The address a limit keys on. IPv4 addresses count one by one; an IPv6 client usually owns a whole /64 and can pick
 * any address in it, so all of a /64 counts as one client, and the login guard also counts the /56 and /48 around it (a
 * free tunnel broker hands out a /48). An IPv4-mapped IPv6 address counts as the IPv4 address it carries.
 */
public final class ClientAddress {

    private final InetAddress address;

    /** Computed once: every counter of a request keys on it. */
    private final String limitKey;

    private ClientAddress(InetAddress address) {
        this.address = address;
        this.limitKey = address instanceof Inet4Address ? address.getHostAddress() : network(64);
    }

    /**
     * Parses an address literal as Keycloak's connection reports it. Never resolves names: anything that is not a
     * literal IPv4 or IPv6 address is empty.
     */
    public static Optional<ClientAddress> parse(String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        String text = literal.strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        if (text.isEmpty() || text.length() > 45 || !text.matches("[0-9A-Fa-f:.]+")) {
            return Optional.empty();
        }
        if (!text.contains(":") && !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.empty();
        }
        try {
            // Only literals reach this point, so getByName does not look anything up.
            return Optional.of(new ClientAddress(InetAddress.getByName(text)));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    public InetAddress address() {
        return address;
    }

    /** Whether this is an IPv6 client (an IPv4-mapped address counts as IPv4). */
    public boolean ipv6() {
        return address instanceof Inet6Address;
    }

    /** The text a limit keys on: the IPv4 address, or the IPv6 /64 prefix such as {@code 2001:db8:1:2::/64}. */
    public String limitKey() {
        return limitKey;
    }

    /** The IPv6 network of the first {@code bits} bits, such as {@code 2001:db8:1::/48}; IPv4 addresses stay whole. */
    public String network(int bits) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        byte[] prefix = new byte[16];
        for (int i = 0; i < 16; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            prefix[i] = (byte) (bytes[i] & (0xFF << (8 - keep)));
        }
        try {
            return ((Inet6Address) InetAddress.getByAddress(prefix))
                            .getHostAddress()
                            .replaceAll("(:0)+$", "") + "::/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress();
    }
}
