// Userspace delay for the NAT lab, since this kernel has no netem qdisc: packets sent to
// NFQUEUE QUEUE by an iptables rule are held for DELAY_MS (plus up to JITTER_MS, which reorders)
// and then accepted. (Duplication is not possible here: a queue verdict cannot copy a packet;
// the in-memory lab covers it.)
//
//   gcc -O2 -o nfq-delay nfq-delay.c -lnetfilter_queue
//   nfq-delay QUEUE DELAY_MS [JITTER_MS]
//
// Runs until killed. Only ever sees packets of the namespace it runs in.
//
// Fast enough not to be the bottleneck of the lab (issue #14): every poll drains the netlink socket
// (many packets per wake-up, 8 MB receive buffer), due packets are released with one batch verdict
// when there is no jitter (then they are due in arrival order: nfq_set_verdict_batch accepts every
// id up to the last due one), and the queue fails open (a full queue accepts rather than drops).
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libnfnetlink/libnfnetlink.h>

#define MAX_HELD 65536

struct held { unsigned int id; long long due; };
static struct held heap[MAX_HELD];
static int held_count;
static long long delay_ns, jitter_ns;
static struct nfq_q_handle *qh;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void heap_push(struct held h) {
  int i = held_count++;
  heap[i] = h;
  while (i > 0 && heap[(i - 1) / 2].due > heap[i].due) {
    struct held t = heap[i]; heap[i] = heap[(i - 1) / 2]; heap[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

static struct held heap_pop(void) {
  struct held top = heap[0];
  heap[0] = heap[--held_count];
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < held_count && heap[l].due < heap[m].due) m = l;
    if (r < held_count && heap[r].due < heap[m].due) m = r;
    if (m == i) break;
    struct held t = heap[i]; heap[i] = heap[m]; heap[m] = t;
    i = m;
  }
  return top;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void) msg; (void) data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  unsigned int id = ntohl(ph->packet_id);
  if (held_count >= MAX_HELD) return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
  long long j = jitter_ns > 0 ? (long long) (drand48() * jitter_ns) : 0;
  struct held h = { id, now_ns() + delay_ns + j };
  heap_push(h);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s QUEUE DELAY_MS [JITTER_MS]\n", argv[0]);
    return 2;
  }
  int queue = atoi(argv[1]);
  delay_ns = atoll(argv[2]) * 1000000LL;
  jitter_ns = argc > 3 ? atoll(argv[3]) * 1000000LL : 0;
  srand48(now_ns());
  struct nfq_handle *h = nfq_open();
  if (!h) { perror("nfq_open"); return 1; }
  nfq_unbind_pf(h, AF_INET);
  if (nfq_bind_pf(h, AF_INET) < 0) { perror("nfq_bind_pf"); return 1; }
  qh = nfq_create_queue(h, queue, &on_packet, NULL);
  if (!qh) { perror("nfq_create_queue"); return 1; }
  nfq_set_mode(qh, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen(qh, MAX_HELD);
  nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  nfnl_rcvbufsiz(nfq_nfnlh(h), 8 * 1024 * 1024);
  int fd = nfq_fd(h);
  static char buf[262144];
  fprintf(stderr, "nfq-delay: queue %d, delay %lld ms, jitter %lld ms\n", queue, delay_ns / 1000000, jitter_ns / 1000000);
  for (;;) {
    long long wait_ms = -1;
    if (held_count > 0) {
      long long d = heap[0].due - now_ns();
      wait_ms = d <= 0 ? 0 : (d + 999999) / 1000000;
    }
    struct pollfd p = { fd, POLLIN, 0 };
    int n = poll(&p, 1, (int) wait_ms);
    if (n > 0) {
      for (int k = 0; k < 4096; k++) { // drain what is there, not one message per poll
        int len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (len <= 0) break; // EAGAIN, or ENOBUFS after an overrun: the kernel fails open meanwhile
        nfq_handle_packet(h, buf, len);
      }
    } else if (n < 0 && errno != EINTR) {
      perror("poll");
      return 1;
    }
    long long t = now_ns();
    if (jitter_ns == 0) {
      unsigned int last = 0;
      int any = 0;
      while (held_count > 0 && heap[0].due <= t) {
        last = heap_pop().id;
        any = 1;
      }
      if (any) nfq_set_verdict_batch(qh, last, NF_ACCEPT);
    } else {
      while (held_count > 0 && heap[0].due <= t) {
        struct held x = heap_pop();
        nfq_set_verdict(qh, x.id, NF_ACCEPT, 0, NULL);
      }
    }
  }
}
