package dev.kcwarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 client that connects FROM a chosen loopback address (all of 127.0.0.0/8 is loopback here), so one
 * test acts as many client IPs without any proxy header: Keycloak sees the socket's peer address, as it would in
 * production. Keeps cookies like a browser would. {@code java.net.http} cannot bind a source address, hence this.
 */
public final class LoopbackClient {

    private final String sourceAddress;
    private final Map<String, String> cookies = new LinkedHashMap<>();

    public LoopbackClient(String sourceAddress) {
        this.sourceAddress = sourceAddress;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    /** The same browser (its cookies) connecting from another address, as a laptop on another network. */
    public LoopbackClient from(String otherAddress) {
        LoopbackClient moved = new LoopbackClient(otherAddress);
        moved.cookies.putAll(cookies);
        return moved;
    }

    /** Drops every cookie but {@code name}: the login session ends, a long-lived cookie stays. */
    public void forgetCookiesExcept(String name) {
        cookies.keySet().removeIf(k -> !k.equals(name));
    }

    public String cookie(String name) {
        return cookies.get(name);
    }

    public void setCookie(String name, String value) {
        cookies.put(name, value);
    }

    public Http.Reply get(String url, Map<String, String> headers) {
        return send("GET", url, headers, null);
    }

    public Http.Reply postForm(String url, Map<String, String> form) {
        return postForm(url, form, Map.of());
    }

    public Http.Reply postForm(String url, Map<String, String> form, Map<String, String> headers) {
        return postRaw(url, Http.formEncode(form).getBytes(StandardCharsets.US_ASCII), headers);
    }

    /** Posts a form body exactly as given, e.g. with bytes that are not UTF-8. */
    public Http.Reply postRaw(String url, byte[] formBody, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/x-www-form-urlencoded");
        return send("POST", url, all, formBody);
    }

    private Http.Reply send(String method, String url, Map<String, String> headers, byte[] body) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(sourceAddress, 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder()
                    .append(method)
                    .append(' ')
                    .append(path)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(uri.getHost())
                    .append(':')
                    .append(uri.getPort())
                    .append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (!cookies.isEmpty()) {
                head.append("Cookie: ");
                cookies.forEach((k, v) -> head.append(k).append('=').append(v).append("; "));
                head.setLength(head.length() - 2);
                head.append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url + " from " + sourceAddress, e);
        }
    }

    private Http.Reply read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String raw = new String(all, StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Set-Cookie")) {
                String pair = value.split(";", 2)[0];
                int eq = pair.indexOf('=');
                cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            headers.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + ", " + b);
        }
        byte[] payload = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            payload = unchunk(payload);
        }
        return new Http.Reply(status, headers, new String(payload, StandardCharsets.UTF_8));
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < chunked.length) {
            int lineEnd = indexOfCrlf(chunked, pos);
            int size = Integer.parseInt(
                    new String(chunked, pos, lineEnd - pos, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return bytes.length;
    }
}
