package clarimcp.json;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The immutable, array-backed members and items JsonParser hands to Json.Obj and Json.Arr, which keep them
 * without the defensive copy they make of any other map or list. Why: a parsed export is hundreds of thousands
 * of small objects; a LinkedHashMap per object (copied once more by Obj) made the tree ~10x the input and the
 * parse GC-bound. Only this package creates them, from arrays it then gives up, so they cannot change.
 */
final class Frozen {
    /**
     * Above this many members a map gets a hash index (a linear search would make lookups O(n) each); an
     * export entry has about a dozen, and a HashMap per entry would cost more than the search.
     */
    static final int LINEAR_MAX = 16;

    private Frozen() {}

    /** Members in insertion order; keys are unique (the parser checked). */
    static final class Members extends AbstractMap<String, Json> {
        private final String[] keys;
        private final Json[] values;
        private final HashMap<String, Integer> index;

        Members(String[] keys, Json[] values) {
            this.keys = keys;
            this.values = values;
            if (keys.length <= LINEAR_MAX) {
                index = null;
            } else {
                index = new HashMap<>(keys.length * 2);
                for (int i = 0; i < keys.length; i++) index.put(keys[i], i);
            }
        }

        private int find(Object key) {
            if (index != null) {
                Integer i = index.get(key);
                return i == null ? -1 : i;
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) return i;
            }
            return -1;
        }

        @Override
        public Json get(Object key) {
            int i = find(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return find(key) >= 0;
        }

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public Set<Entry<String, Json>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return keys.length;
                }

                @Override
                public Iterator<Entry<String, Json>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < keys.length;
                        }

                        @Override
                        public Entry<String, Json> next() {
                            if (next >= keys.length) throw new NoSuchElementException();
                            int i = next++;
                            return new SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                    };
                }
            };
        }
    }

    /** Items of an array. */
    static final class Items extends AbstractList<Json> implements RandomAccess {
        private final Json[] items;

        Items(Json[] items) {
            this.items = items;
        }

        @Override
        public Json get(int i) {
            return items[i];
        }

        @Override
        public int size() {
            return items.length;
        }
    }
}
