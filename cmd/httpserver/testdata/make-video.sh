#!/bin/sh
# Regenerates clip.ivf, the video frames of the browser test: four seconds
# of ffmpeg's test pattern, 160x120 at 15 frames a second, VP8 with a key
# frame every second, about 40 KB, in the IVF container (a header, then
# each frame with its size and time). The test muxes these frames into
# WebM files of the sizes it needs (webm_test.go), so the tests need no
# ffmpeg; run this only to change the clip (apt-get install ffmpeg).
set -eu
cd "$(dirname "$0")"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i testsrc=duration=4:size=160x120:rate=15 \
  -c:v libvpx -b:v 100k -g 15 -keyint_min 15 -an \
  -fflags +bitexact -flags:v +bitexact \
  -f ivf clip.ivf
ls -l clip.ivf
