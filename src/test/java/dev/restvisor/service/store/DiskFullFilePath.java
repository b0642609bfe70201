package dev.restvisor.service.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * A test volume for H2 ({@code jdbc:h2:diskfull:/path/db}): the files are ordinary files, but
 * while {@link #full} is set the volume has no free block left, as a filled file system has. A
 * write that would grow a file then fails the way Linux fails it, with an IOException saying
 * "No space left on device" (ENOSPC); writes inside a file's allocated length still succeed,
 * and reads always do. H2 meets the same failure at the same place, its FileChannel writes, as
 * on a real full disk; only the moment the disk fills is chosen by the test.
 */
public final class DiskFullFilePath extends FilePathWrapper {
    public static final String SCHEME = "diskfull";
    /** True while the volume is full. */
    public static volatile boolean full;
    /** Writes refused since the volume was registered. */
    public static final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    private static final DiskFullFilePath PROVIDER = new DiskFullFilePath();

    /** Makes {@code diskfull:} paths known to H2 (idempotent). */
    public static void register() {
        FilePath.register(PROVIDER);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Channel(getBase().open(mode));
    }

    @Override
    public java.io.OutputStream newOutputStream(boolean append) throws IOException {
        return newFileChannelOutputStream(open("rw"), append);
    }

    static IOException noSpace() {
        refused.incrementAndGet();
        return new IOException("No space left on device");
    }

    /** A file of the volume: growth is refused while the volume is full. */
    private static final class Channel extends FileBase {
        private final FileChannel base;

        Channel(FileChannel base) {
            this.base = base;
        }

        private void allocate(long end) throws IOException {
            if (full && end > base.size()) {
                throw noSpace();
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            allocate(base.position() + src.remaining());
            return base.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            allocate(position + src.remaining());
            return base.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            base.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            base.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }
    }
}
