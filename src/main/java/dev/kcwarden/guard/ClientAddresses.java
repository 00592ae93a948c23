package dev.kcwarden.guard;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.keycloak.models.KeycloakSession;

/**
 * Which client a request comes from. By default Keycloak's own view of the connection, which honours
 * {@code --proxy-headers}. When Keycloak honours X-Forwarded-For it takes the LEFT-most element, which a client writes
 * itself whenever the proxy appends to the header. With trusted proxies configured, a request whose TCP peer is one of
 * them counts as the right-most X-Forwarded-For element that none of them wrote; a request from any other peer (a
 * client that reached Keycloak without the proxy) counts as Keycloak sees it, whatever header it sends.
 */
final class ClientAddresses {

    private static final Logger LOG = Logger.getLogger(ClientAddresses.class);
    static final String FORWARDED_FOR = "X-Forwarded-For";
    /** Where addresses that cannot be read are counted, all together. */
    static final ClientAddress UNKNOWN = ClientAddress.parse("0.0.0.0").orElseThrow();

    private static final int MAX_ELEMENTS = 32;
    private static volatile boolean peerWarned;

    private ClientAddresses() {}

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
        return choose(seen.get(), socketPeer(), headers == null ? List.of() : headers, trustedProxies);
    }

    /**
     * {@code seen} is Keycloak's view, {@code peer} the TCP peer. Only a trusted peer's header is believed; any other
     * peer is the client itself, whatever Keycloak made of its headers (Keycloak without --proxy-trusted-addresses
     * believes anyone's). When the peer cannot be read, Keycloak's view.
     */
    static ClientAddress choose(
            ClientAddress seen, Optional<ClientAddress> peer, List<String> headerValues, List<Cidr> trustedProxies) {
        if (peer.isEmpty()) {
            return seen;
        }
        if (!trusted(peer.get(), trustedProxies)) {
            return peer.get();
        }
        return rightMostUntrusted(peer.get(), headerValues, trustedProxies);
    }

    /**
     * The right-most X-Forwarded-For address that is not a trusted proxy, for a request that a trusted proxy
     * ({@code peer}) sent; the peer itself when it forwarded no header.
     */
    static ClientAddress rightMostUntrusted(ClientAddress peer, List<String> headerValues, List<Cidr> trustedProxies) {
        List<String> elements = new ArrayList<>();
        for (String value : headerValues) {
            for (String element : value.split(",", -1)) {
                elements.add(element.strip());
            }
        }
        if (elements.isEmpty()) {
            return peer;
        }
        int stop = Math.max(0, elements.size() - MAX_ELEMENTS);
        for (int i = elements.size() - 1; i >= stop; i--) {
            Optional<ClientAddress> element = element(elements.get(i));
            if (element.isEmpty()) {
                // A proxy we trust writes addresses only: this was written by the client.
                return UNKNOWN;
            }
            if (!trusted(element.get(), trustedProxies)) {
                return element.get();
            }
        }
        return UNKNOWN;
    }

    private static boolean trusted(ClientAddress address, List<Cidr> trustedProxies) {
        return trustedProxies.stream().anyMatch(range -> range.contains(address.address()));
    }

    /**
     * The TCP peer of the current request, before any proxy header: Keycloak's ClientConnection gives the address after
     * {@code --proxy-headers}, so this reads the Vert.x connection underneath.
     */
    private static Optional<ClientAddress> socketPeer() {
        try {
            ResteasyReactiveRequestContext context = CurrentRequestManager.get();
            HttpServerRequest request = context == null ? null : context.unwrap(HttpServerRequest.class);
            HttpConnection connection = request == null ? null : request.connection();
            if (connection != null
                    && connection.remoteAddress() != null
                    && connection.remoteAddress().hostAddress() != null) {
                return ClientAddress.parse(connection.remoteAddress().hostAddress());
            }
            warnOnce("no connection");
        } catch (RuntimeException | LinkageError e) {
            warnOnce(e.getClass().getSimpleName());
        }
        return Optional.empty();
    }

    private static void warnOnce(String why) {
        if (!peerWarned) {
            peerWarned = true;
            LOG.warnf(
                    "warden.trusted-proxies is set but the TCP peer of a request cannot be read here (%s);"
                            + " the guard counts the client address Keycloak reports",
                    why);
        }
    }

    /**
     * One X-Forwarded-For element as a proxy may write it: an address, {@code ip:port}, {@code [ipv6]} or
     * {@code [ipv6]:port}.
     */
    static Optional<ClientAddress> element(String text) {
        String value = text;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0
                    || !(close == value.length() - 1
                            || value.substring(close + 1).matches(":\\d{1,5}"))) {
                return Optional.empty();
            }
            value = value.substring(1, close);
        } else if (value.matches("\\d{1,3}(\\.\\d{1,3}){3}:\\d{1,5}")) {
            value = value.substring(0, value.indexOf(':'));
        }
        return ClientAddress.parse(value);
    }
}
