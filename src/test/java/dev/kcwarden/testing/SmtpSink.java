package dev.kcwarden.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * A plain SMTP server on a loopback port that accepts every mail and keeps its recipients, so a test can count the
 * mails Keycloak really sent. No TLS, no authentication: enough for Keycloak's mail sender with {@code starttls} and
 * {@code auth} off.
 */
public final class SmtpSink implements AutoCloseable {

    /** One accepted mail: who it went to and its raw text. */
    public record Mail(List<String> recipients, String data) {}

    private final ServerSocket server;
    private final List<Mail> mails = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    public SmtpSink() {
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a loopback port for the SMTP sink", e);
        }
        acceptor = new Thread(this::acceptLoop, "smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A new sink, made the realm's mail server, with the realm's email theme set to warden's (its templates). */
    public static SmtpSink forWardenMail(ManagedRealm realm) {
        SmtpSink sink = new SmtpSink();
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setSmtpServer(sink.realmSettings());
        rep.setEmailTheme("warden");
        realm.admin().update(rep);
        return sink;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The realm's SMTP settings (Realm settings → Email) for this sink. */
    public Map<String, String> realmSettings() {
        return Map.of(
                "host",
                "127.0.0.1",
                "port",
                String.valueOf(port()),
                "from",
                "warden-test@example.com",
                "auth",
                "false",
                "ssl",
                "false",
                "starttls",
                "false");
    }

    /** Mails so far that went to {@code address}. */
    public List<Mail> to(String address) {
        synchronized (mails) {
            return mails.stream()
                    .filter(m -> m.recipients().stream().anyMatch(r -> r.equalsIgnoreCase(address)))
                    .toList();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket client = server.accept()) {
                client.setSoTimeout(10_000);
                converse(client);
            } catch (IOException e) {
                // closed, or a client that went away: wait for the next one
            }
        }
    }

    private void converse(Socket client) throws IOException {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = client.getOutputStream();
        reply(out, "220 smtp-sink ready");
        List<String> recipients = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.length() < 4
                    ? line.toUpperCase()
                    : line.substring(0, 4).toUpperCase();
            switch (command) {
                case "EHLO", "HELO" -> reply(out, "250 smtp-sink");
                case "MAIL" -> {
                    recipients = new ArrayList<>();
                    reply(out, "250 OK");
                }
                case "RCPT" -> {
                    recipients.add(line.replaceAll("(?i)^RCPT TO:\\s*<?([^>]*)>?.*$", "$1"));
                    reply(out, "250 OK");
                }
                case "DATA" -> {
                    reply(out, "354 end with <CRLF>.<CRLF>");
                    StringBuilder data = new StringBuilder();
                    String body;
                    while ((body = in.readLine()) != null && !body.equals(".")) {
                        data.append(body).append('\n');
                    }
                    mails.add(new Mail(List.copyOf(recipients), data.toString()));
                    reply(out, "250 OK");
                }
                case "QUIT" -> {
                    reply(out, "221 bye");
                    return;
                }
                default -> reply(out, "250 OK");
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
