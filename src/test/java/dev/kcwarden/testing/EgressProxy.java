package dev.kcwarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An outgoing (egress) proxy as companies run them, started by a test on loopback: it answers only {@code CONNECT
 * host:port} for the names it was given a route for, and tunnels the bytes to a local port. The names exist nowhere
 * else (no resolver knows {@code *.warden.test}), so a request that reaches the route's server came through this proxy.
 * Every request line is recorded.
 */
public final class EgressProxy implements AutoCloseable {

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Integer> routes = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** Open tunnels' sockets, closed with the proxy so that no client keeps a tunnel to a server that is gone. */
    private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet();

    public EgressProxy(int port) {
        try {
            socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("the egress proxy cannot listen on 127.0.0.1:" + port, e);
        }
        pool.execute(this::accept);
    }

    /** CONNECT {@code host:443} goes to 127.0.0.1:{@code localPort}. */
    public void route(String host, int localPort) {
        routes.put(host + ":443", localPort);
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                pool.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        open.add(client);
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            String requestLine = head.lines().findFirst().orElse("");
            requests.add(requestLine);
            String[] parts = requestLine.split(" ");
            OutputStream out = client.getOutputStream();
            if (parts.length != 3 || !"CONNECT".equals(parts[0])) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            Integer port = routes.get(parts[1]);
            if (port == null) {
                out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                open.add(upstream);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                var back = pool.submit(() -> pump(upstream.getInputStream(), out));
                pump(in, upstream.getOutputStream());
                upstream.shutdownOutput();
                back.get();
            }
        } catch (Exception ended) {
            // the tunnel is over when either side closes
        } finally {
            open.remove(client);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4 && head.size() < 8192) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static Void pump(InputStream from, OutputStream to) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
            to.write(buffer, 0, n);
            to.flush();
        }
        return null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
    }
}
