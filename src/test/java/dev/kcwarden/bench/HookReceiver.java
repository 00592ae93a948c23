package dev.kcwarden.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit webhook's receiver for the benchmark, on loopback, in one of three moods: {@code UP} answers 204 at once,
 * {@code HANGING} accepts and never answers, {@code DOWN} has closed its port (connection refused).
 */
final class HookReceiver implements AutoCloseable {

    enum Mood {
        UP,
        HANGING,
        DOWN
    }

    private final int port;
    private final AtomicLong received = new AtomicLong();
    private final List<Socket> held = new ArrayList<>();
    private volatile ServerSocket server;
    private volatile Mood mood = Mood.DOWN;

    HookReceiver(int port) {
        this.port = port;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    long received() {
        return received.get();
    }

    synchronized void set(Mood next) throws IOException {
        if (next == Mood.DOWN) {
            closeAll();
        } else if (server == null) {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
            server = socket;
            Thread accept = new Thread(() -> acceptLoop(socket), "bench-hook");
            accept.setDaemon(true);
            accept.start();
        }
        if (next == Mood.UP) {
            releaseHeld();
        }
        mood = next;
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (mood == Mood.HANGING) {
                    synchronized (this) {
                        held.add(client);
                    }
                    continue;
                }
                Thread answer = new Thread(() -> answer(client), "bench-hook-answer");
                answer.setDaemon(true);
                answer.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads requests on one kept-alive connection and answers each with 204 (or holds it, once hanging). */
    private void answer(Socket client) {
        boolean hold = false;
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (!hold) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                received.incrementAndGet();
                if (mood == Mood.HANGING) {
                    synchronized (this) {
                        held.add(client);
                    }
                    hold = true;
                } else {
                    out.write(
                            "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the sender gave up or the receiver closed: nothing to answer
        } finally {
            if (!hold) {
                try {
                    client.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    private synchronized void releaseHeld() {
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        held.clear();
    }

    private synchronized void closeAll() throws IOException {
        releaseHeld();
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeAll();
    }
}
