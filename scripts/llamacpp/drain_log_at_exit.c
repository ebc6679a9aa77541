/* Preloaded by run.sh into llama-eval-callback: llama.cpp's logger writes from a worker thread and is never
 * flushed at exit (common_log_main() leaks it on purpose), so the last graph nodes are often lost. This
 * destructor runs during exit(), before the process ends, and gives the worker time to drain its queue. */
#include <unistd.h>

__attribute__((destructor)) static void layerwise_drain_log(void) {
    usleep(500 * 1000);
}
