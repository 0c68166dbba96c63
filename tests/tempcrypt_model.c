/*
 * Drives one anonymous temporary file of the alpr-tempcrypt VFS with random writes, reads and
 * truncations (partial blocks, gaps past the end, growing and shrinking truncations) and
 * checks every read against a plain in-memory copy; then checks that the bytes on disk are
 * not the bytes written, that a block rewritten after a truncation does not reuse its
 * keystream (the XOR of the two ciphertexts is not the XOR of the two plaintexts), and that
 * after a write the disk refused, the file refuses reads rather than return wrong bytes (a VFS
 * below it fails writes on demand). Built and run by tests/test_tempcrypt.py, with the
 * extension built beside it (under AddressSanitizer and UBSan).
 *
 * usage: tempcrypt_model EXTENSION.so SEED STEPS
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXSIZE (64 * 4096)

/* The VFS below the extension: the default one, whose writes fail (half written, then
 * SQLITE_FULL) while fail_writes is set. */
static sqlite3_vfs *dflt;
static sqlite3_vfs faulty;
static int fail_writes;
typedef struct Faulty {
    sqlite3_file base;
    sqlite3_file *real;
} Faulty;
#define REAL(p) (((Faulty *)(p))->real)

static int f_close(sqlite3_file *p) { return REAL(p)->pMethods->xClose(REAL(p)); }
static int f_read(sqlite3_file *p, void *b, int n, sqlite3_int64 o) {
    return REAL(p)->pMethods->xRead(REAL(p), b, n, o);
}
static int f_write(sqlite3_file *p, const void *b, int n, sqlite3_int64 o) {
    sqlite3_file *r = REAL(p);
    if (fail_writes) {
        r->pMethods->xWrite(r, b, n / 2, o);
        return SQLITE_FULL;
    }
    return r->pMethods->xWrite(r, b, n, o);
}
static int f_trunc(sqlite3_file *p, sqlite3_int64 n) { return REAL(p)->pMethods->xTruncate(REAL(p), n); }
static int f_sync(sqlite3_file *p, int fl) { return REAL(p)->pMethods->xSync(REAL(p), fl); }
static int f_size(sqlite3_file *p, sqlite3_int64 *n) { return REAL(p)->pMethods->xFileSize(REAL(p), n); }
static int f_lock(sqlite3_file *p, int l) { return REAL(p)->pMethods->xLock(REAL(p), l); }
static int f_unlock(sqlite3_file *p, int l) { return REAL(p)->pMethods->xUnlock(REAL(p), l); }
static int f_res(sqlite3_file *p, int *o) { return REAL(p)->pMethods->xCheckReservedLock(REAL(p), o); }
static int f_ctl(sqlite3_file *p, int op, void *a) { return REAL(p)->pMethods->xFileControl(REAL(p), op, a); }
static int f_sector(sqlite3_file *p) { return REAL(p)->pMethods->xSectorSize(REAL(p)); }
static int f_dev(sqlite3_file *p) { return REAL(p)->pMethods->xDeviceCharacteristics(REAL(p)); }
static const sqlite3_io_methods faulty_io = {
    1, f_close, f_read, f_write, f_trunc, f_sync, f_size, f_lock, f_unlock, f_res, f_ctl, f_sector, f_dev,
    0, 0, 0, 0, 0, 0,
};
static int f_open(sqlite3_vfs *v, const char *z, sqlite3_file *p, int fl, int *out) {
    Faulty *f = (Faulty *)p;
    int rc;
    (void)v;
    f->real = (sqlite3_file *)&f[1];
    rc = dflt->xOpen(dflt, z, f->real, fl, out);
    if (rc == SQLITE_OK) f->base.pMethods = &faulty_io;
    return rc;
}

static int temp_fd(void) {
    char fdpath[64], target[512];
    int fd;
    ssize_t n;
    for (fd = 3; fd < 256; fd++) {
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
        n = readlink(fdpath, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strstr(target, "etilqs_")) return fd;
        }
    }
    return -1;
}

static unsigned long long state;
static unsigned rnd(unsigned n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

static int fail(const char *what, long long a, long long b) {
    fprintf(stderr, "FAIL %s (%lld, %lld)\n", what, a, b);
    return 1;
}

int main(int argc, char **argv) {
    sqlite3 *db;
    char *err = 0;
    sqlite3_vfs *vfs;
    sqlite3_file *f;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE
                | SQLITE_OPEN_EXCLUSIVE | SQLITE_OPEN_TEMP_JOURNAL;
    static unsigned char model[MAXSIZE], got[MAXSIZE], data[MAXSIZE];
    long long size = 0, step, steps, reads = 0, writes = 0, truncs = 0;
    int rc, out = 0;

    if (argc != 4) return 2;
    state = strtoull(argv[2], 0, 10);
    steps = strtoll(argv[3], 0, 10);
    dflt = sqlite3_vfs_find(0);
    faulty = *dflt;
    faulty.zName = "faulty";
    faulty.szOsFile = (int)sizeof(Faulty) + dflt->szOsFile;
    faulty.xOpen = f_open;
    sqlite3_vfs_register(&faulty, 1);                  /* the extension goes on top of it */
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 2;
    sqlite3_enable_load_extension(db, 1);
    if (sqlite3_load_extension(db, argv[1], "sqlite3_tempcrypt_init", &err) != SQLITE_OK) {
        fprintf(stderr, "load: %s\n", err);
        return 2;
    }
    vfs = sqlite3_vfs_find(0);
    if (!vfs || strcmp(vfs->zName, "alpr-tempcrypt") != 0) return fail("default vfs", 0, 0);
    f = calloc(1, (size_t)vfs->szOsFile);
    rc = vfs->xOpen(vfs, 0, f, flags, &out);
    if (rc != SQLITE_OK) return fail("open", rc, 0);
    memset(model, 0, sizeof model);

    for (step = 0; step < steps; step++) {
        unsigned op = rnd(10);
        long long off = rnd(MAXSIZE - 1);
        int len = 1 + (int)rnd(rnd(4) == 0 ? 3 * 4096 : 600);
        if (rnd(3) == 0) off = (off / 4096) * 4096;              /* often block-aligned */
        if (rnd(4) == 0 && size > 0) off = size - rnd(size < 100 ? (unsigned)size : 100);
        if (off + len > MAXSIZE) len = (int)(MAXSIZE - off);
        if (op < 5) {                                              /* write */
            unsigned i;
            for (i = 0; i < (unsigned)len; i++) data[i] = (unsigned char)rnd(256);
            rc = f->pMethods->xWrite(f, data, len, off);
            if (rc != SQLITE_OK) return fail("write", rc, off);
            memcpy(model + off, data, (size_t)len);
            if (off + len > size) size = off + len;
            writes++;
        } else if (op < 9) {                                       /* read */
            memset(got, 0xAA, (size_t)len);
            rc = f->pMethods->xRead(f, got, len, off);
            if (off + len <= size) {
                if (rc != SQLITE_OK) return fail("read", rc, off);
            } else if (rc != SQLITE_IOERR_SHORT_READ) {
                return fail("short read", rc, off);
            }
            /* past the end a short read fills with zeros; the model holds zeros there */
            if (memcmp(got, model + off, (size_t)len) != 0) return fail("content", off, len);
            reads++;
        } else {                                                   /* truncate, down or up */
            long long to = rnd(4) == 0 ? (long long)rnd(MAXSIZE) : (size > 0 ? rnd((unsigned)size + 1) : 0);
            sqlite3_int64 now;
            rc = f->pMethods->xTruncate(f, to);
            if (rc != SQLITE_OK) return fail("truncate", rc, to);
            if (to < size) memset(model + to, 0, (size_t)(size - to));
            size = to;
            if (f->pMethods->xFileSize(f, &now) != SQLITE_OK || now != size) return fail("size", now, size);
            truncs++;
        }
    }

    /* The bytes on disk (through /proc, as an insider would read them) are not the model's. */
    if (size >= 4096) {
        int fd = temp_fd(), same = 0;
        long long i;
        static unsigned char disk[MAXSIZE];
        if (fd < 0) return fail("no temp file on disk", 0, 0);
        if (pread(fd, disk, (size_t)size, 0) != size) return fail("disk read", fd, size);
        for (i = 0; i < size; i++) same += disk[i] == model[i] && model[i] != 0;
        if (same > size / 64) return fail("plaintext on disk", same, size);
    }

    /* A block written, truncated away and written again gets a new keystream. */
    {
        static unsigned char p1[4096], p2[4096], c1[4096], c2[4096];
        int fd = temp_fd(), i, same = 0;
        for (i = 0; i < 4096; i++) p1[i] = (unsigned char)rnd(256), p2[i] = (unsigned char)rnd(256);
        if (fd < 0) return fail("no temp file on disk", 0, 0);
        if (f->pMethods->xTruncate(f, 0) || f->pMethods->xWrite(f, p1, 4096, 0)) return fail("p1", 0, 0);
        if (pread(fd, c1, 4096, 0) != 4096) return fail("c1", 0, 0);
        if (f->pMethods->xTruncate(f, 0) || f->pMethods->xWrite(f, p2, 4096, 0)) return fail("p2", 0, 0);
        if (pread(fd, c2, 4096, 0) != 4096) return fail("c2", 0, 0);
        for (i = 0; i < 4096; i++) same += (c1[i] ^ c2[i]) == (p1[i] ^ p2[i]);
        if (same > 4096 / 64) return fail("keystream reused after a truncation", same, 4096);
    }

    /* A write the disk refuses: the file then refuses reads instead of returning wrong bytes. */
    {
        static unsigned char part[1200];
        int i;
        for (i = 0; i < 1200; i++) part[i] = (unsigned char)rnd(256);
        if (f->pMethods->xTruncate(f, 0) || f->pMethods->xWrite(f, part, 1000, 0)) return fail("part", 0, 0);
        fail_writes = 1;
        rc = f->pMethods->xWrite(f, part + 1000, 200, 1000);
        fail_writes = 0;
        if (rc == SQLITE_OK) return fail("failed write reported as done", rc, 0);
        memset(got, 0, 1000);
        rc = f->pMethods->xRead(f, got, 1000, 0);
        if (rc == SQLITE_OK && memcmp(got, part, 1000) != 0) {
            return fail("wrong bytes after a failed write", rc, 0);
        }
    }
    rc = f->pMethods->xClose(f);
    if (rc != SQLITE_OK) return fail("close", rc, 0);
    free(f);
    sqlite3_close(db);
    printf("ok %lld writes %lld reads %lld truncates, final size %lld\n", writes, reads, truncs, size);
    return 0;
}
