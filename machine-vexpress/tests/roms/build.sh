#!/bin/sh
# Rebuilds the raw images the board tests load (needs arm-none-eabi binutils).
set -e
cd "$(dirname "$0")"
for s in *.S; do
    n=${s%.S}
    arm-none-eabi-as -march=armv7-a -o /tmp/$n.o $s
    arm-none-eabi-ld -Ttext=0x80000000 -o /tmp/$n.elf /tmp/$n.o
    arm-none-eabi-objcopy -O binary /tmp/$n.elf $n.bin
done
