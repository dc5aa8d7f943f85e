package clarimcp.clari;

/**
 * Told of every HTTP exchange a {@link ClariClient} makes, retries included, so the caller can count
 * them (e.g. for a log line). Called on the thread that made the exchange; must be thread-safe when
 * the client is shared between threads. Sees no ids, query, headers or bodies.
 */
@FunctionalInterface
public interface ExchangeObserver {
    /** pathTemplate: e.g. /export/jobs/{jobId}; status: the HTTP status, or 0 when no response arrived. */
    void exchange(String method, String pathTemplate, int status);

    ExchangeObserver NONE = (method, pathTemplate, status) -> {};
}
