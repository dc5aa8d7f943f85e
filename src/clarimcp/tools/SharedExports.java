package clarimcp.tools;

import clarimcp.mcp.Tool;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Identical exports in flight share one Clari job: the first call starts the work on a thread of
 * its own, and every identical call that arrives before it ends waits for the same result. A
 * cancelled caller only stops waiting; the work is stopped when its last waiter is gone. Progress,
 * logs and HTTP exchanges of the work reach every caller still waiting. {@link Recent} extends the
 * sharing in time: an identical call soon after gets the answer already given.
 */
final class SharedExports<T> {
    /** The export itself, given a context that reports to every waiting caller. */
    @FunctionalInterface
    interface Work<T> {
        T run(Tool.Context waiters) throws Tool.Failure, InterruptedException;
    }

    private final class Entry implements Tool.Context {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final List<Tool.Context> waiters = new CopyOnWriteArrayList<>();
        Thread worker;

        @Override
        public void progress(double progress, Double total, String message) {
            for (Tool.Context w : waiters) w.progress(progress, total, message);
        }

        @Override
        public void log(String level, String message) {
            for (Tool.Context w : waiters) w.log(level, message);
        }

        @Override
        public void httpExchange(String method, String pathTemplate, int status) {
            for (Tool.Context w : waiters) w.httpExchange(method, pathTemplate, status);
        }
    }

    private final Map<String, Entry> inFlight = new HashMap<>(); // guarded by this

    /** The result of the work for key, run once however many identical calls wait for it. */
    T run(String key, Tool.Context ctx, Work<T> work) throws Tool.Failure, InterruptedException {
        Entry entry;
        synchronized (this) {
            entry = inFlight.get(key);
            if (entry == null) {
                entry = new Entry();
                inFlight.put(key, entry);
                entry.waiters.add(ctx);
                entry.worker = Thread.ofVirtual().name("forecast-export").start(work(key, entry, work));
            } else {
                entry.waiters.add(ctx);
            }
        }
        try {
            return entry.result.get();
        } catch (InterruptedException e) {
            leave(key, entry, ctx);
            throw e;
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case Tool.Failure t -> throw new Tool.Failure(t.getMessage()); // thrown on this caller's stack
                case InterruptedException i -> throw new Tool.Failure("the shared export was stopped; retry");
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException("export failed", e.getCause());
            }
        } finally {
            entry.waiters.remove(ctx);
        }
    }

    private Runnable work(String key, Entry entry, Work<T> work) {
        return () -> {
            T json = null;
            Throwable failure = null;
            try {
                json = work.run(entry);
            } catch (Throwable t) {
                failure = t;
            }
            synchronized (this) {
                inFlight.remove(key, entry); // before completing: a call arriving now starts a fresh export
            }
            if (failure == null) entry.result.complete(json);
            else entry.result.completeExceptionally(failure);
        };
    }

    /** A cancelled caller leaves; the last one out stops the work (its Clari job is left to finish on its own). */
    private void leave(String key, Entry entry, Tool.Context ctx) {
        synchronized (this) {
            entry.waiters.remove(ctx);
            if (entry.waiters.isEmpty() && !entry.result.isDone()) {
                inFlight.remove(key, entry);
                entry.worker.interrupt();
            }
        }
    }

    /**
     * Answers given recently, by key, at most max of them (the oldest dropped first), each valid for the
     * freshness the caller asks of it. Holds rendered answers, so its memory is bounded by max x the result cap.
     */
    static final class Recent<V> {
        /** A remembered answer and how long ago it was made. */
        record Hit<V>(V value, long ageNanos) {}

        private record Kept<V>(V value, long atNanos) {}

        private final LongSupplier clock;
        private final Map<String, Kept<V>> kept; // guarded by this

        Recent(int max, LongSupplier nanoClock) {
            this.clock = nanoClock;
            this.kept = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Kept<V>> eldest) {
                    return size() > max;
                }
            };
        }

        /** The answer for key if it was made less than maxAgeNanos ago, else null (and it is forgotten). */
        synchronized Hit<V> get(String key, long maxAgeNanos) {
            Kept<V> k = kept.get(key);
            if (k == null) return null;
            long age = clock.getAsLong() - k.atNanos();
            if (age < maxAgeNanos) return new Hit<>(k.value(), age);
            kept.remove(key);
            return null;
        }

        synchronized void put(String key, V value) {
            kept.put(key, new Kept<>(value, clock.getAsLong()));
        }
    }
}
