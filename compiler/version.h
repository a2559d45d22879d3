/* version.h - featc's version, shown by `featc --version` and recorded in built runtimes. */
#ifndef FEATC_VERSION_H
#define FEATC_VERSION_H

#define FEATC_VERSION "0.4.0"

#endif
