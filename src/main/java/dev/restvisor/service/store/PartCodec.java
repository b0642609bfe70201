package dev.restvisor.service.store;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads the state record of a stateful part (a device, the FPU) component by component.
 * Supported component types: primitives, String, enums, primitive arrays, nested records and lists
 * of those. The record's {@link #schema} (names and types of every component, nested ones included)
 * is stored beside the values: a snapshot whose schema differs from the running code's is refused,
 * never read into the wrong fields.
 */
final class PartCodec {
    private PartCodec() {
    }

    /** The layout of a record type, e.g. {@code PicState(PicChipState(int irr,...) master,...)}. */
    static String schema(Class<?> type) {
        StringBuilder sb = new StringBuilder();
        schema(type, null, sb);
        return sb.toString();
    }

    private static void schema(Class<?> type, Type generic, StringBuilder sb) {
        if (type.isRecord()) {
            sb.append(type.getSimpleName()).append('(');
            RecordComponent[] cs = type.getRecordComponents();
            for (int i = 0; i < cs.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                schema(cs[i].getType(), cs[i].getGenericType(), sb);
                sb.append(' ').append(cs[i].getName());
            }
            sb.append(')');
        } else if (type == List.class) {
            sb.append("List<");
            Class<?> element = elementType(generic);
            schema(element, null, sb);
            sb.append('>');
        } else if (type.isEnum()) {
            sb.append("enum ").append(type.getSimpleName()).append('{');
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                sb.append(i > 0 ? "," : "").append(((Enum<?>) constants[i]).name());
            }
            sb.append('}');
        } else if (type.isPrimitive() || type == String.class || type == Integer.class || type == Long.class
                || type == Boolean.class || type == byte[].class || type == int[].class || type == long[].class
                || type == boolean[].class) {
            sb.append(type.getSimpleName());
        } else {
            throw new IllegalArgumentException("a state record cannot hold a " + type.getName());
        }
    }

    private static Class<?> elementType(Type generic) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        throw new IllegalArgumentException("a list in a state record needs a concrete element type: " + generic);
    }

    static void write(DataOutputStream out, Record value) throws IOException {
        write(out, value.getClass(), null, value);
    }

    private static void write(DataOutputStream out, Class<?> type, Type generic, Object v) throws IOException {
        if (!type.isPrimitive()) {
            out.writeBoolean(v != null);
            if (v == null) {
                return;
            }
        }
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                try {
                    write(out, c.getType(), c.getGenericType(), c.getAccessor().invoke(v));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + c.getName(), e);
                }
            }
        } else if (type == List.class) {
            List<?> list = (List<?>) v;
            Class<?> element = elementType(generic);
            out.writeInt(list.size());
            for (Object e : list) {
                write(out, element, null, e);
            }
        } else if (type.isEnum()) {
            out.writeUTF(((Enum<?>) v).name());
        } else if (type == int.class || type == Integer.class) {
            out.writeInt((Integer) v);
        } else if (type == long.class || type == Long.class) {
            out.writeLong((Long) v);
        } else if (type == boolean.class || type == Boolean.class) {
            out.writeBoolean((Boolean) v);
        } else if (type == byte.class) {
            out.writeByte((Byte) v);
        } else if (type == short.class) {
            out.writeShort((Short) v);
        } else if (type == char.class) {
            out.writeChar((Character) v);
        } else if (type == double.class) {
            out.writeDouble((Double) v);
        } else if (type == float.class) {
            out.writeFloat((Float) v);
        } else if (type == String.class) {
            byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        } else if (type == byte[].class) {
            byte[] a = (byte[]) v;
            out.writeInt(a.length);
            out.write(a);
        } else if (type == int[].class) {
            int[] a = (int[]) v;
            out.writeInt(a.length);
            for (int x : a) {
                out.writeInt(x);
            }
        } else if (type == long[].class) {
            long[] a = (long[]) v;
            out.writeInt(a.length);
            for (long x : a) {
                out.writeLong(x);
            }
        } else if (type == boolean[].class) {
            boolean[] a = (boolean[]) v;
            out.writeInt(a.length);
            for (boolean x : a) {
                out.writeBoolean(x);
            }
        } else {
            throw new IllegalArgumentException("a state record cannot hold a " + type.getName());
        }
    }

    static <R extends Record> R read(DataInputStream in, Class<R> type) throws IOException {
        return type.cast(read(in, type, null));
    }

    private static Object read(DataInputStream in, Class<?> type, Type generic) throws IOException {
        if (!type.isPrimitive() && !in.readBoolean()) {
            return null;
        }
        if (type.isRecord()) {
            RecordComponent[] cs = type.getRecordComponents();
            Class<?>[] types = new Class<?>[cs.length];
            Object[] values = new Object[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                values[i] = read(in, cs[i].getType(), cs[i].getGenericType());
            }
            try {
                Constructor<?> canonical = type.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new IOException("cannot rebuild " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        } else if (type == List.class) {
            int n = length(in);
            Class<?> element = elementType(generic);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(read(in, element, null));
            }
            return List.copyOf(list);
        } else if (type.isEnum()) {
            String name = in.readUTF();
            for (Object c : type.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(name)) {
                    return c;
                }
            }
            throw new IOException(type.getSimpleName() + " has no constant " + name);
        } else if (type == int.class || type == Integer.class) {
            return in.readInt();
        } else if (type == long.class || type == Long.class) {
            return in.readLong();
        } else if (type == boolean.class || type == Boolean.class) {
            return in.readBoolean();
        } else if (type == byte.class) {
            return in.readByte();
        } else if (type == short.class) {
            return in.readShort();
        } else if (type == char.class) {
            return in.readChar();
        } else if (type == double.class) {
            return in.readDouble();
        } else if (type == float.class) {
            return in.readFloat();
        } else if (type == String.class) {
            return new String(in.readNBytes(length(in)), StandardCharsets.UTF_8);
        } else if (type == byte[].class) {
            return in.readNBytes(length(in));
        } else if (type == int[].class) {
            int[] a = new int[length(in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readInt();
            }
            return a;
        } else if (type == long[].class) {
            long[] a = new long[length(in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readLong();
            }
            return a;
        } else if (type == boolean[].class) {
            boolean[] a = new boolean[length(in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readBoolean();
            }
            return a;
        }
        throw new IOException("a state record cannot hold a " + type.getName());
    }

    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("a length of " + n + " runs past the end of the section");
        }
        return n;
    }
}
