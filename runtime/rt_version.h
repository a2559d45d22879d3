/* rt_version.h - featc's version, shown by `featc --version` and by the runtimes it builds. */
#ifndef FEATRT_VERSION_H
#define FEATRT_VERSION_H

#define FEATC_VERSION "0.4.0"

#endif
