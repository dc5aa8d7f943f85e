package clarimcp.sandbox;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP CONNECT proxy for tests: it tunnels only to 127.0.0.1, counts the tunnels it opens,
 * records what it was asked (CONNECT targets and Proxy-Authorization values), and, when given
 * credentials, answers 407 until a request carries them (Basic), as corporate proxies do.
 */
public final class ConnectProxy implements AutoCloseable {
    /** Longest request head read: a CONNECT with a few headers is a few hundred bytes. */
    private static final int MAX_HEAD = 8192;

    private final ServerSocket server;
    private final String expectedAuthorization; // null: no credentials needed
    private final AtomicInteger tunnels = new AtomicInteger();
    private final List<String> targets = new ArrayList<>(); // guarded by itself
    private final List<String> authorizations = new ArrayList<>(); // guarded by itself
    private final List<Socket> open = new ArrayList<>(); // guarded by itself

    private ConnectProxy(String user, String password) throws IOException {
        this.expectedAuthorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().name("connect-proxy").start(this::acceptLoop);
    }

    /** A proxy that needs no credentials. */
    public static ConnectProxy start() throws IOException {
        return new ConnectProxy(null, null);
    }

    /** A proxy that answers 407 until a request carries Basic user:password. */
    public static ConnectProxy start(String user, String password) throws IOException {
        return new ConnectProxy(user, password);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Tunnels opened (CONNECTs answered 200). */
    public int tunnels() {
        return tunnels.get();
    }

    /** host:port of every CONNECT received, in order. */
    public List<String> targets() {
        synchronized (targets) {
            return List.copyOf(targets);
        }
    }

    /** Proxy-Authorization values received ("" when absent), in order. */
    public List<String> authorizations() {
        synchronized (authorizations) {
            return List.copyOf(authorizations);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) return;
                String[] lines = head.split("\r\n");
                String[] first = lines[0].split(" ");
                String auth = "";
                for (String line : lines) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("proxy-authorization:")) auth = line.substring(20).strip();
                }
                synchronized (authorizations) {
                    authorizations.add(auth);
                }
                if (first.length != 3 || !first[0].equals("CONNECT")) {
                    out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(ISO_8859_1));
                    return;
                }
                synchronized (targets) {
                    targets.add(first[1]);
                }
                if (expectedAuthorization != null && !expectedAuthorization.equals(auth)) {
                    out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                            + "Content-Length: 0\r\n\r\n").getBytes(ISO_8859_1));
                    out.flush();
                    continue; // the client may answer the challenge on this connection
                }
                int colon = first[1].lastIndexOf(':');
                if (colon < 0 || !first[1].substring(0, colon).equals("127.0.0.1")) {
                    out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(ISO_8859_1));
                    return;
                }
                try (Socket target = new Socket("127.0.0.1", Integer.parseInt(first[1].substring(colon + 1)))) {
                    tunnels.incrementAndGet();
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(ISO_8859_1));
                    out.flush();
                    Thread up = Thread.ofVirtual().start(() -> pipe(in, target));
                    pipe(target.getInputStream(), client);
                    up.join(1000);
                }
                return;
            }
        } catch (IOException | InterruptedException | RuntimeException gone) {
            // a side hung up: the tunnel ends
        }
    }

    private static void pipe(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException gone) {
            // the other side closed
        }
    }

    /** The request head up to the blank line, or null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0; // the last four bytes read
        for (int b; (b = in.read()) != -1; ) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == ('\r' << 24 | '\n' << 16 | '\r' << 8 | '\n')) return head.toString(ISO_8859_1);
            if (head.size() > MAX_HEAD) throw new IOException("head too long");
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) s.close();
        }
    }
}
