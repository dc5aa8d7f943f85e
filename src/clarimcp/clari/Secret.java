package clarimcp.clari;

/** The API token. Its toString never shows the value, so it cannot leak through logs or messages. */
public final class Secret {
    /** What a secret shows instead of its value, here and wherever one is masked (dry runs, Clari's text). */
    public static final String MASK = "***";

    private final String value;

    public Secret(String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("empty secret");
        this.value = value;
    }

    /** The raw value; only the HTTP layer calls this, to set the apikey header. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }
}
