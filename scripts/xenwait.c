/*
 * xenwait N TIMEOUT: run in Xen's dom0 (armhf Linux, no libc), wait until the dom0less
 * guests domU1..domUN have printed "A15EMU-MARKER: workload done (domU<i>)", then exit 0;
 * exit 1 after TIMEOUT seconds, 2 if Xen cannot be asked.
 *
 * The guests' output goes through Xen's emulated PL011 to Xen's console, and with it into
 * Xen's console ring; dom0 reads that ring with the XEN_SYSCTL_readconsole hypercall
 * (xen/include/public/sysctl.h, interface version 0x15 in Xen 4.17), issued through
 * /dev/xen/privcmd's IOCTL_PRIVCMD_HYPERCALL (module xen-privcmd, loaded by /init).
 *
 * Built by scripts/fetch-images.sh with arm-none-eabi-gcc: freestanding, Linux EABI system
 * calls (svc 0, number in r7).
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define SYS_EXIT 1
#define SYS_WRITE 4
#define SYS_OPEN 5
#define SYS_IOCTL 54
#define SYS_NANOSLEEP 162
#define O_RDWR 2

/* _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall)) */
#define IOCTL_PRIVCMD_HYPERCALL 0x00305000
#define HYPERVISOR_SYSCTL 35
#define XEN_SYSCTL_READCONSOLE 1
#define XEN_SYSCTL_INTERFACE_VERSION 0x15

struct privcmd_hypercall {
    u64 op;
    u64 arg[5];
};

struct xen_sysctl {
    u32 cmd;
    u32 interface_version;
    /* union, 8-byte aligned; readconsole: */
    u8 clear;
    u8 incremental;
    u8 pad0, pad1;
    u32 index;
    u64 buffer;
    u32 count;
    u8 rest[128 - 20];
} __attribute__((aligned(8)));

static long sys3(long n, long a, long b, long c)
{
    register long r0 __asm__("r0") = a;
    register long r1 __asm__("r1") = b;
    register long r2 __asm__("r2") = c;
    register long r7 __asm__("r7") = n;
    __asm__ volatile("svc 0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    return r0;
}

static unsigned len(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    sys3(SYS_WRITE, 1, (long)s, len(s));
}

static void quit(int status)
{
    for (;;)
        sys3(SYS_EXIT, status, 0, 0);
}

static int atoi_(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static char ring[16384];
static char line[256];
static struct xen_sysctl sc;
static struct privcmd_hypercall hc;

static const char MARK[] = "A15EMU-MARKER: workload done (domU";

/* Returns the domU number a complete line reports done, else 0. */
static int done_in(const char *l)
{
    for (; *l; l++) {
        const char *a = l, *b = MARK;
        while (*b && *a == *b)
            a++, b++;
        if (!*b)
            return atoi_(a);
    }
    return 0;
}

void cmain(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc < 3) {
        say("usage: xenwait N TIMEOUT\n");
        quit(2);
    }
    int n = atoi_(argv[1]);
    int polls = atoi_(argv[2]) * 5;
    unsigned seen = 0, all = n >= 32 ? 0xffffffffu : (1u << n) - 1;
    unsigned ll = 0;
    u32 index = 0;
    long fd = sys3(SYS_OPEN, (long)"/dev/xen/privcmd", O_RDWR, 0);
    if (fd < 0) {
        say("xenwait: cannot open /dev/xen/privcmd\n");
        quit(2);
    }
    /* Xen copies into these through dom0's page tables: have them mapped. */
    for (unsigned i = 0; i < sizeof ring; i += 1024)
        ring[i] = 0;
    for (int p = 0; p < polls; p++) {
        sc.cmd = XEN_SYSCTL_READCONSOLE;
        sc.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
        sc.clear = 0;
        sc.incremental = 1;
        sc.index = index;
        sc.buffer = (u32)ring;
        sc.count = sizeof ring;
        hc.op = HYPERVISOR_SYSCTL;
        hc.arg[0] = (u32)&sc;
        if (sys3(SYS_IOCTL, fd, IOCTL_PRIVCMD_HYPERCALL, (long)&hc) < 0) {
            say("xenwait: XEN_SYSCTL_readconsole failed\n");
            quit(2);
        }
        index = sc.index;
        for (u32 i = 0; i < sc.count && i < sizeof ring; i++) {
            char c = ring[i];
            if (c != '\n' && ll < sizeof line - 1) {
                line[ll++] = c;
                continue;
            }
            line[ll] = 0;
            ll = 0;
            int d = done_in(line);
            if (d >= 1 && d <= n && d <= 32)
                seen |= 1u << (d - 1);
        }
        if ((seen & all) == all) {
            say("xenwait: all domUs are done\n");
            quit(0);
        }
        long ts[2] = {0, 200000000};
        sys3(SYS_NANOSLEEP, (long)ts, 0, 0);
    }
    say("xenwait: timed out waiting for the domUs\n");
    quit(1);
}

__asm__(".global _start\n"
        "_start:\n"
        "  mov r0, sp\n"
        "  bl cmain\n");
