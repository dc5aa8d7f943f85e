package clarimcp.mcp;

import clarimcp.json.Json;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests being worked on, by id, so notifications/cancelled can find and interrupt them
 * (basic/utilities/cancellation). Each call ends exactly once: either it finishes and its reply
 * is sent, or it is cancelled first and no reply is sent at all, whichever wins the race.
 */
final class InFlight {
    /** Bounds memory and threads under a flood of calls; far above what any client sends at once. */
    static final int MAX_IN_FLIGHT = 512;

    private static final int RUNNING = 0;
    private static final int CANCELLED = 1;
    private static final int DONE = 2;

    /** One registered call. */
    static final class Call {
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile Thread thread;

        /** True while the call may still send progress or its reply. */
        boolean running() {
            return state.get() == RUNNING;
        }

        /** Marks the call finished; false when it was cancelled first (then no reply may be sent). */
        boolean finish() {
            return state.compareAndSet(RUNNING, DONE);
        }

        /** Binds the thread that runs the call; a cancel that came first interrupts it at once. */
        void attach(Thread t) {
            thread = t;
            if (state.get() == CANCELLED) t.interrupt();
        }

        void cancel() {
            if (state.compareAndSet(RUNNING, CANCELLED)) {
                Thread t = thread;
                if (t != null) t.interrupt();
            }
        }
    }

    private final ConcurrentHashMap<Json, Call> calls = new ConcurrentHashMap<>();

    /**
     * Registers a call as soon as it is read, before any thread runs it, so a cancellation that
     * follows at once is not lost. Null when the id is already in flight or the table is full.
     */
    Call start(Json id) {
        if (calls.size() >= MAX_IN_FLIGHT) return null;
        Call call = new Call();
        return calls.putIfAbsent(id, call) == null ? call : null;
    }

    void end(Json id, Call call) {
        calls.remove(id, call);
    }

    /** Cancels the call with this id, if any; unknown or finished ids are ignored, as the spec asks. */
    void cancel(Json id) {
        Call call = calls.get(id);
        if (call != null) call.cancel();
    }

    /** At end of input: stop every call; none of them will answer. */
    void cancelAll() {
        calls.values().forEach(Call::cancel);
    }
}
