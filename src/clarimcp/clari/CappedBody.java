package clarimcp.clari;

import java.io.IOException;
import java.net.http.HttpResponse;
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
        if (declaredLength() > max) tooLarge();
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

    private long declaredLength() {
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

    /** Signals a body over the cap; carries the status of the response it belonged to. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        TooLarge(int status) {
            super("response body over the cap", null);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}
