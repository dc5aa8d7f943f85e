package clarimcp.clari;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body, refusing one over max bytes (by Content-Length or as it streams) by cancelling
 * the download. A subscriber rather than BodyHandlers.ofInputStream: the JDK's request timeout ends when the
 * headers arrive, while a body collected here completes the send future, so the caller's deadline covers it.
 * {@link Streamed} is the sibling for bodies too large to hold (export results): read as they arrive, with
 * the same cap, and closed by the caller at the request deadline.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<byte[]> chunks = new ArrayList<>();
    private final HttpResponse.ResponseInfo info;
    private final int max;
    private long size;
    private Flow.Subscription subscription;

    CappedBody(HttpResponse.ResponseInfo info, int max) {
        this.info = info;
        this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (declaredLength(info) > max) tooLarge();
        else s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer b : buffers) {
            if (result.isDone()) return;
            size += b.remaining();
            if (size > max) {
                tooLarge();
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            chunks.add(chunk);
        }
    }

    @Override
    public void onError(Throwable t) {
        chunks.clear();
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        byte[] all = new byte[(int) size];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        chunks.clear();
        result.complete(all);
    }

    private static long declaredLength(HttpResponse.ResponseInfo info) {
        try {
            return info.headers().firstValueAsLong("Content-Length").orElse(-1);
        } catch (NumberFormatException e) {
            return -1; // the streamed count still applies
        }
    }

    private void tooLarge() {
        subscription.cancel();
        chunks.clear();
        result.completeExceptionally(new TooLarge(info.statusCode()));
    }

    /**
     * A response body read as it arrives (BodySubscribers.ofInputStream) on the reader's thread, never held
     * whole: over max bytes, declared (Content-Length, before any byte is read) or counted, a read fails with
     * {@link TooLarge} and the download is cancelled; after {@link #expire} (the request deadline, from another
     * thread) a read fails with HttpTimeoutException, as the collected body's deadline does.
     */
    static final class Streamed extends FilterInputStream {
        private final int status;
        private final long declared;
        private final long max;
        private long count;
        private volatile boolean expired;

        private Streamed(InputStream in, HttpResponse.ResponseInfo info, int max) {
            super(in);
            this.status = info.statusCode();
            this.declared = declaredLength(info);
            this.max = max;
        }

        static HttpResponse.BodySubscriber<InputStream> subscriber(HttpResponse.ResponseInfo info, int max) {
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> new Streamed(in, info, max));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (declared > max) throw tooLarge();
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, max - count + 1)); // at most one byte past the cap
            } catch (IOException e) {
                if (expired) throw new HttpTimeoutException("request timed out");
                throw e;
            }
            if (n > 0 && (count += n) > max) throw tooLarge();
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            int k = (int) Math.max(0, Math.min(n, 8192));
            return Math.max(0, read(new byte[k], 0, k)); // counted like any read
        }

        /** Bytes read so far, for the call's budget. */
        long count() {
            return count;
        }

        /** Closes the stream at the request deadline: a read blocked now or later fails as timed out. */
        void expire() {
            expired = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // closing cancels the download; nothing else to do
            }
        }

        private TooLarge tooLarge() throws IOException {
            in.close(); // cancels the download
            return new TooLarge(status);
        }
    }

    /** Signals a body over the cap; carries the status of the response it belonged to. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        TooLarge(int status) {
            super("response body over the cap", null);
            this.status = status;
        }
    }
}
