/*
 * alpr-tempcrypt: an SQLite VFS that encrypts SQLite's temporary files.
 *
 * Why: SQLCipher encrypts the database, its WAL and its journal, but not the files SQLite
 * opens without a name (the sorter's runs, temporary tables and indexes, statement
 * journals, VACUUM's copy). The store therefore kept them in memory (temp_store = MEMORY),
 * so that no plate reaches the disk in the clear; but a sort kept in memory never spills,
 * and the index rebuild after a first sync of 20 million reads then holds 1.3 GB of keys.
 * With this VFS loaded, the store lets that rebuild's sort spill to files: each such file
 * gets its own random 256-bit AES key, which lives only in this process's memory while the
 * file is open, and every write gets a fresh keystream (AES-256-CTR over 4 KiB blocks, the
 * counter block naming the block and its write generation; generations never go down while
 * the key lives, a truncation included), so no two versions of a block are ever encrypted
 * with the same keystream. After a write the disk refused, the file refuses all further use
 * (SQLite rolls back) rather than decrypt bytes of unknown state.
 *
 * Files opened with a name (the database, its WAL and journal) pass straight to the VFS
 * below, unchanged: SQLCipher encrypts them itself. The files this VFS encrypts are
 * SQLite's anonymous temporary files, which the unix VFS unlinks as soon as it opens them
 * and which are never reopened, so their keys need not outlive them.
 *
 * pip builds this file as the Python extension module app.engine._tempcrypt
 * (ALPR_PYTHON_MODULE), so that it is installed, found and bundled like any other; importing
 * it defines nothing. app/engine/tempcrypt.py loads it into SQLite (load_extension, entry
 * point sqlite3_tempcrypt_init): it registers the VFS as the process's default, and gives
 * every connection opened after it the SQL function alpr_tempcrypt(), 1 when the
 * connection's main database goes through this VFS (so its temporary files are encrypted),
 * else 0. Encryption is OpenSSL's
 * (libcrypto, EVP); a file whose key cannot be made is refused, never written in the clear.
 */
#ifdef ALPR_PYTHON_MODULE
#define PY_SSIZE_T_CLEAN
#include <Python.h>                     /* first, as Python asks */
#endif
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define VFS_NAME "alpr-tempcrypt"
#define BLOCK 4096                      /* bytes under one (block, generation) keystream */
#define LIVE 0x80000000u                /* gen[b]: the block holds bytes (else it reads as zeros) */
#define GEN(g) ((g) & ~LIVE)            /* gen[b]: its last write's generation, never lowered */

typedef struct CryptFile {
    sqlite3_file base;                  /* pMethods: crypt_io */
    sqlite3_file *real;                 /* the file of the VFS below, right after this struct */
    EVP_CIPHER_CTX *ctx;                /* keyed once at open; the IV is set per block */
    uint32_t *gen;                      /* each block's LIVE flag and write generation */
    sqlite3_int64 nGen;                 /* entries allocated in gen */
    sqlite3_int64 size;                 /* bytes written so far (the file's logical size) */
    int broken;                         /* a write failed: the disk's bytes are unknown */
    unsigned char buf[BLOCK];           /* one block, for a write that rewrites part of one */
} CryptFile;

static sqlite3_vfs *below;              /* the default VFS when this one was registered */
static sqlite3_vfs crypt_vfs;

/* XOR n bytes at p with the keystream of block b, generation g, from byte `at` of the block. */
static int crypt_xor(CryptFile *f, sqlite3_int64 b, uint32_t g, int at, unsigned char *p, int n) {
    unsigned char iv[16];
    unsigned char skip[16];
    uint64_t ub = (uint64_t)b;
    uint32_t counter = (uint32_t)(at / 16);
    int len, i;
    for (i = 0; i < 8; i++) iv[i] = (unsigned char)(ub >> (56 - 8 * i));
    for (i = 0; i < 4; i++) iv[8 + i] = (unsigned char)(g >> (24 - 8 * i));
    for (i = 0; i < 4; i++) iv[12 + i] = (unsigned char)(counter >> (24 - 8 * i));
    if (EVP_EncryptInit_ex(f->ctx, NULL, NULL, NULL, iv) != 1) return SQLITE_IOERR;
    if (at % 16) {
        memset(skip, 0, sizeof skip);
        if (EVP_EncryptUpdate(f->ctx, skip, &len, skip, at % 16) != 1) return SQLITE_IOERR;
    }
    if (EVP_EncryptUpdate(f->ctx, p, &len, p, n) != 1 || len != n) return SQLITE_IOERR;
    return SQLITE_OK;
}

static int grow_gen(CryptFile *f, sqlite3_int64 blocks) {
    sqlite3_int64 n;
    uint32_t *g;
    if (blocks <= f->nGen) return SQLITE_OK;
    n = f->nGen ? f->nGen : 256;
    while (n < blocks) n *= 2;
    if ((uint64_t)n > SIZE_MAX / sizeof *g) return SQLITE_NOMEM;
    g = realloc(f->gen, (size_t)n * sizeof *g);
    if (!g) return SQLITE_NOMEM;
    memset(g + f->nGen, 0, (size_t)(n - f->nGen) * sizeof *g);
    f->gen = g;
    f->nGen = n;
    return SQLITE_OK;
}

static int crypt_close(sqlite3_file *pFile) {
    CryptFile *f = (CryptFile *)pFile;
    int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    EVP_CIPHER_CTX_free(f->ctx);        /* wipes the expanded key */
    free(f->gen);
    OPENSSL_cleanse(f->buf, sizeof f->buf);
    f->ctx = NULL;
    f->gen = NULL;
    return rc;
}

static int crypt_read(sqlite3_file *pFile, void *out, int n, sqlite3_int64 off) {
    CryptFile *f = (CryptFile *)pFile;
    unsigned char *p = out;
    sqlite3_int64 have = f->size > off ? f->size - off : 0;
    int avail = have < n ? (int)have : n;
    int rc, done = 0;
    if (f->broken) return SQLITE_IOERR_READ;
    if (avail > 0) {
        rc = f->real->pMethods->xRead(f->real, p, avail, off);
        /* shorter than what was written: cut under us; never hand ciphertext up as data */
        if (rc == SQLITE_IOERR_SHORT_READ) return SQLITE_IOERR_READ;
        if (rc != SQLITE_OK) return rc;
    }
    while (done < avail) {
        sqlite3_int64 pos = off + done;
        sqlite3_int64 b = pos / BLOCK;
        int at = (int)(pos % BLOCK);
        int take = BLOCK - at < avail - done ? BLOCK - at : avail - done;
        if (b >= f->nGen || !(f->gen[b] & LIVE)) {
            memset(p + done, 0, (size_t)take);      /* a hole reads as zeros, as on disk */
        } else if ((rc = crypt_xor(f, b, GEN(f->gen[b]), at, p + done, take)) != SQLITE_OK) {
            return rc;
        }
        done += take;
    }
    if (avail < n) {
        memset(p + avail, 0, (size_t)(n - avail));
        return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
}

/* Write one block's part [at, at+n) from src, re-encrypting the block's other bytes when
 * the write does not cover them, under the block's next generation: generations only rise
 * while the file's key lives (a truncation clears LIVE, not the generation), so no keystream
 * ever covers two plaintexts. A failed write leaves the block's bytes on disk unknown, so the
 * file refuses all further use (SQLite then rolls back) rather than decrypt them wrongly. */
static int write_block(CryptFile *f, sqlite3_int64 b, int at, const unsigned char *src, int n) {
    sqlite3_int64 start = b * BLOCK;
    int old = f->size > start ? (f->size - start < BLOCK ? (int)(f->size - start) : BLOCK) : 0;
    int end = at + n > old ? at + n : old;
    int rc;
    uint32_t next;
    if (f->broken) return SQLITE_IOERR_WRITE;
    if ((rc = grow_gen(f, b + 1)) != SQLITE_OK) return rc;
    if (GEN(f->gen[b]) == GEN(UINT32_MAX)) return SQLITE_IOERR_WRITE;
    memset(f->buf, 0, BLOCK);
    if ((at > 0 || at + n < old) && old > 0 && (f->gen[b] & LIVE)) {
        rc = f->real->pMethods->xRead(f->real, f->buf, old, start);
        if (rc != SQLITE_OK) return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_READ : rc;
        if ((rc = crypt_xor(f, b, GEN(f->gen[b]), 0, f->buf, old)) != SQLITE_OK) return rc;
    }
    memcpy(f->buf + at, src, (size_t)n);
    next = GEN(f->gen[b]) + 1;
    f->gen[b] = LIVE | next;
    if ((rc = crypt_xor(f, b, next, 0, f->buf, end)) != SQLITE_OK) {
        f->broken = 1;
        return rc;
    }
    rc = f->real->pMethods->xWrite(f->real, f->buf, end, start);
    OPENSSL_cleanse(f->buf, (size_t)end);
    if (rc != SQLITE_OK) {
        f->broken = 1;
        return rc;
    }
    if (start + end > f->size) f->size = start + end;
    return SQLITE_OK;
}

/* The file grows to `upto` (a write past its end, a growing truncation): the new bytes read as
 * zeros, so the last block's tail is written as zeros now; its stored bytes would otherwise
 * decrypt to noise. Blocks past it are holes, which read as zeros anyway. */
static int pad_tail(CryptFile *f, sqlite3_int64 upto) {
    static const unsigned char zeros[BLOCK];
    int at = (int)(f->size % BLOCK);
    if (upto <= f->size || at == 0) return SQLITE_OK;
    return write_block(f, f->size / BLOCK, at, zeros,
                       upto - f->size < BLOCK - at ? (int)(upto - f->size) : BLOCK - at);
}

static int crypt_write(sqlite3_file *pFile, const void *in, int n, sqlite3_int64 off) {
    CryptFile *f = (CryptFile *)pFile;
    const unsigned char *p = in;
    int rc, done = 0;
    if ((rc = pad_tail(f, off)) != SQLITE_OK) return rc;
    while (done < n) {
        sqlite3_int64 pos = off + done;
        int at = (int)(pos % BLOCK);
        int take = BLOCK - at < n - done ? BLOCK - at : n - done;
        if ((rc = write_block(f, pos / BLOCK, at, p + done, take)) != SQLITE_OK) return rc;
        done += take;
    }
    return SQLITE_OK;
}

static int crypt_truncate(sqlite3_file *pFile, sqlite3_int64 size) {
    CryptFile *f = (CryptFile *)pFile;
    sqlite3_int64 b;
    int rc;
    if (f->broken) return SQLITE_IOERR_TRUNCATE;
    if ((rc = pad_tail(f, size)) != SQLITE_OK) return rc;
    rc = f->real->pMethods->xTruncate(f->real, size);
    if (rc != SQLITE_OK) return rc;
    for (b = (size + BLOCK - 1) / BLOCK; b < f->nGen; b++) f->gen[b] &= ~LIVE;
    f->size = size;
    return SQLITE_OK;
}

static int crypt_sync(sqlite3_file *pFile, int flags) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xSync(f->real, flags);
}

static int crypt_size(sqlite3_file *pFile, sqlite3_int64 *pSize) {
    *pSize = ((CryptFile *)pFile)->size;
    return SQLITE_OK;
}

static int crypt_lock(sqlite3_file *pFile, int level) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xLock(f->real, level);
}

static int crypt_unlock(sqlite3_file *pFile, int level) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int crypt_reserved(sqlite3_file *pFile, int *pResOut) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xCheckReservedLock(f->real, pResOut);
}

static int crypt_control(sqlite3_file *pFile, int op, void *pArg) {
    CryptFile *f = (CryptFile *)pFile;
    if (op == SQLITE_FCNTL_MMAP_SIZE) return SQLITE_NOTFOUND;   /* never map ciphertext in */
    return f->real->pMethods->xFileControl(f->real, op, pArg);
}

static int crypt_sector(sqlite3_file *pFile) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xSectorSize(f->real);
}

static int crypt_device(sqlite3_file *pFile) {
    CryptFile *f = (CryptFile *)pFile;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: no shared memory and no xFetch, so SQLite never maps such a file's bytes. */
static const sqlite3_io_methods crypt_io = {
    1, crypt_close, crypt_read, crypt_write, crypt_truncate, crypt_sync, crypt_size,
    crypt_lock, crypt_unlock, crypt_reserved, crypt_control, crypt_sector, crypt_device,
    0, 0, 0, 0, 0, 0,
};

static int crypt_open(sqlite3_vfs *vfs, const char *zName, sqlite3_file *pFile, int flags,
                      int *pOutFlags) {
    CryptFile *f = (CryptFile *)pFile;
    unsigned char key[32];
    int rc;
    (void)vfs;
    /* named files (the database, its WAL and journal) are SQLCipher's to encrypt; SQLite opens
     * its temporary files without a name, and one deleted on close is temporary too */
    if (zName && !(flags & SQLITE_OPEN_DELETEONCLOSE)) {
        return below->xOpen(below, zName, pFile, flags, pOutFlags);
    }
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)&f[1];
    f->ctx = EVP_CIPHER_CTX_new();
    if (!f->ctx) return SQLITE_NOMEM;
    if (RAND_bytes(key, sizeof key) != 1
        || EVP_EncryptInit_ex(f->ctx, EVP_aes_256_ctr(), NULL, key, NULL) != 1) {
        OPENSSL_cleanse(key, sizeof key);
        EVP_CIPHER_CTX_free(f->ctx);
        f->ctx = NULL;
        return SQLITE_CANTOPEN;         /* refused rather than written in the clear */
    }
    OPENSSL_cleanse(key, sizeof key);
    rc = below->xOpen(below, zName, f->real, flags, pOutFlags);
    if (rc != SQLITE_OK) {
        EVP_CIPHER_CTX_free(f->ctx);
        f->ctx = NULL;
        return rc;
    }
    f->base.pMethods = &crypt_io;
    return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *v, const char *z, int sync) {
    (void)v;
    return below->xDelete(below, z, sync);
}
static int v_access(sqlite3_vfs *v, const char *z, int flags, int *out) {
    (void)v;
    return below->xAccess(below, z, flags, out);
}
static int v_fullpath(sqlite3_vfs *v, const char *z, int n, char *out) {
    (void)v;
    return below->xFullPathname(below, z, n, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *z) {
    (void)v;
    return below->xDlOpen(below, z);
}
static void v_dlerror(sqlite3_vfs *v, int n, char *z) {
    (void)v;
    below->xDlError(below, n, z);
}
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *z))(void) {
    (void)v;
    return below->xDlSym(below, h, z);
}
static void v_dlclose(sqlite3_vfs *v, void *h) {
    (void)v;
    below->xDlClose(below, h);
}
static int v_random(sqlite3_vfs *v, int n, char *z) {
    (void)v;
    return below->xRandomness(below, n, z);
}
static int v_sleep(sqlite3_vfs *v, int us) {
    (void)v;
    return below->xSleep(below, us);
}
static int v_time(sqlite3_vfs *v, double *t) {
    (void)v;
    return below->xCurrentTime(below, t);
}
static int v_lasterror(sqlite3_vfs *v, int n, char *z) {
    (void)v;
    return below->xGetLastError ? below->xGetLastError(below, n, z) : 0;
}
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) {
    (void)v;
    return below->xCurrentTimeInt64(below, t);
}
static int v_setcall(sqlite3_vfs *v, const char *z, sqlite3_syscall_ptr p) {
    (void)v;
    return below->xSetSystemCall(below, z, p);
}
static sqlite3_syscall_ptr v_getcall(sqlite3_vfs *v, const char *z) {
    (void)v;
    return below->xGetSystemCall(below, z);
}
static const char *v_nextcall(sqlite3_vfs *v, const char *z) {
    (void)v;
    return below->xNextSystemCall(below, z);
}

/* alpr_tempcrypt(): 1 when this connection's main database goes through this VFS. */
static void fn_active(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    sqlite3_vfs *vfs = 0;
    (void)argc;
    (void)argv;
    sqlite3_file_control(sqlite3_context_db_handle(ctx), "main", SQLITE_FCNTL_VFS_POINTER, &vfs);
    sqlite3_result_int(ctx, vfs == &crypt_vfs);
}

static int add_function(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
    (void)pzErrMsg;
    (void)pApi;
    return sqlite3_create_function_v2(db, "alpr_tempcrypt", 0, SQLITE_UTF8, 0, fn_active, 0, 0, 0);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_tempcrypt_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
    int rc;
    SQLITE_EXTENSION_INIT2(pApi);
    if (!below) {
        sqlite3_vfs *dflt = sqlite3_vfs_find(0);
        if (!dflt || dflt->iVersion < 3) return SQLITE_ERROR;
        below = dflt;
        crypt_vfs.iVersion = 3;
        crypt_vfs.szOsFile = (int)sizeof(CryptFile) + below->szOsFile;
        crypt_vfs.mxPathname = below->mxPathname;
        crypt_vfs.zName = VFS_NAME;
        crypt_vfs.xOpen = crypt_open;
        crypt_vfs.xDelete = v_delete;
        crypt_vfs.xAccess = v_access;
        crypt_vfs.xFullPathname = v_fullpath;
        crypt_vfs.xDlOpen = v_dlopen;
        crypt_vfs.xDlError = v_dlerror;
        crypt_vfs.xDlSym = v_dlsym;
        crypt_vfs.xDlClose = v_dlclose;
        crypt_vfs.xRandomness = v_random;
        crypt_vfs.xSleep = v_sleep;
        crypt_vfs.xCurrentTime = v_time;
        crypt_vfs.xGetLastError = v_lasterror;
        crypt_vfs.xCurrentTimeInt64 = v_time64;
        crypt_vfs.xSetSystemCall = v_setcall;
        crypt_vfs.xGetSystemCall = v_getcall;
        crypt_vfs.xNextSystemCall = v_nextcall;
        if ((rc = sqlite3_vfs_register(&crypt_vfs, 1)) != SQLITE_OK) {
            below = 0;
            return rc;
        }
        rc = sqlite3_auto_extension((void (*)(void))add_function);
        if (rc == SQLITE_OK) rc = add_function(db, pzErrMsg, pApi);
        if (rc != SQLITE_OK) {          /* SQLite unloads this library after an error: undo */
            sqlite3_cancel_auto_extension((void (*)(void))add_function);
            sqlite3_vfs_unregister(&crypt_vfs);
            below = 0;
            return rc;
        }
        return SQLITE_OK_LOAD_PERMANENTLY;
    }
    rc = add_function(db, pzErrMsg, pApi);
    return rc == SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}

#ifdef ALPR_PYTHON_MODULE
static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tempcrypt",
    "The SQLite extension that encrypts SQLite's temporary files (see app/engine/tempcrypt.py); "
    "it is loaded into SQLite by path, not used from Python.",
    0, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__tempcrypt(void) {
    return PyModuleDef_Init(&module);
}
#endif
