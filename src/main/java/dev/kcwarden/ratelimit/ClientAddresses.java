package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;

/**
 * Which client a request comes from. By default Keycloak's own view of the connection, which
 * honours {@code --proxy-headers}. When Keycloak honours X-Forwarded-For it takes the LEFT-most
 * element, which a client writes itself whenever the proxy appends to the header; with trusted
 * proxies configured, the client is instead the right-most element that none of them wrote.
 */
final class ClientAddresses {

    private static final Logger LOG = Logger.getLogger(ClientAddresses.class);
    static final String FORWARDED_FOR = "X-Forwarded-For";
    /** Where addresses that cannot be read are counted, all together. */
    static final ClientAddress UNKNOWN = ClientAddress.parse("0.0.0.0").orElseThrow();
    private static final int MAX_ELEMENTS = 32;

    private ClientAddresses() {
    }

    static ClientAddress of(KeycloakSession session, List<Cidr> trustedProxies) {
        String remote = session.getContext().getConnection().getRemoteAddr();
        Optional<ClientAddress> seen = ClientAddress.parse(remote);
        if (seen.isEmpty()) {
            LOG.debugf("client address '%s' is not an IP literal; counting it as 0.0.0.0", remote);
            return UNKNOWN;
        }
        if (trustedProxies.isEmpty()) {
            return seen.get();
        }
        List<String> headers = session.getContext().getRequestHeaders().getRequestHeader(FORWARDED_FOR);
        return rightMostUntrusted(seen.get(), headers == null ? List.of() : headers, trustedProxies);
    }

    /**
     * The right-most X-Forwarded-For address that is not a trusted proxy. {@code seen} is the address
     * Keycloak reports: when it is not the header's left-most element, Keycloak did not honour the header
     * (the peer is not a proxy it trusts), and the header is the client's own text.
     */
    static ClientAddress rightMostUntrusted(ClientAddress seen, List<String> headerValues, List<Cidr> trustedProxies) {
        List<String> elements = new ArrayList<>();
        for (String value : headerValues) {
            for (String element : value.split(",", -1)) {
                elements.add(element.strip());
            }
        }
        if (elements.isEmpty()) {
            return seen;
        }
        Optional<ClientAddress> leftMost = element(elements.get(0));
        if (leftMost.isEmpty()) {
            // Keycloak may have read an address out of it that warden cannot tell: all such clients count together.
            return UNKNOWN;
        }
        if (!leftMost.get().address().equals(seen.address())) {
            return seen;
        }
        int stop = Math.max(0, elements.size() - MAX_ELEMENTS);
        for (int i = elements.size() - 1; i >= stop; i--) {
            Optional<ClientAddress> element = element(elements.get(i));
            if (element.isEmpty()) {
                // A proxy we trust writes addresses only: this was written by the client.
                return UNKNOWN;
            }
            if (trustedProxies.stream().noneMatch(range -> range.contains(element.get().address()))) {
                return element.get();
            }
        }
        return UNKNOWN;
    }

    /** One X-Forwarded-For element as a proxy may write it: an address, {@code ip:port}, {@code [ipv6]} or {@code [ipv6]:port}. */
    static Optional<ClientAddress> element(String text) {
        String value = text;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || !(close == value.length() - 1 || value.substring(close + 1).matches(":\\d{1,5}"))) {
                return Optional.empty();
            }
            value = value.substring(1, close);
        } else if (value.matches("\\d{1,3}(\\.\\d{1,3}){3}:\\d{1,5}")) {
            value = value.substring(0, value.indexOf(':'));
        }
        return ClientAddress.parse(value);
    }
}
