package clarimcp.jsonrpc;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The only writer of the protocol stream. One lock serialises every message (responses,
 * progress, log notifications), each written as UTF-8 JSON plus an explicit '\n' (never
 * println, which writes CRLF on Windows) and flushed at once. JsonWriter never emits a raw
 * newline, so framing is correct by construction.
 */
public final class MessageWriter {
    private final OutputStream out;
    private final Object lock = new Object();
    private boolean broken;

    public MessageWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes one message; after the first I/O failure (client gone) further messages are dropped. */
    public void send(Json message) {
        byte[] bytes = JsonWriter.write(message).getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            if (broken) return;
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                broken = true;
            }
        }
    }
}
