# SPDX-License-Identifier: GPL-2.0
# One plot of make bench (tools/bench-report --plot writes the data and
# runs this): clustered bars, a cluster per value of the plot's x column,
# a bar per series. The data file's first line names the columns, each
# following line is an x value and one number per series, "?" where a
# series has none. Set from the command line (gnuplot -e):
#   datafile, outfile, ptitle, xlabel, ylabel, ncols (the series)
set terminal pngcairo size 1000,600 noenhanced font ",10"
set output outfile
set title ptitle
set xlabel xlabel
set ylabel ylabel
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key below
set grid ytics
set yrange [0:*]
plot for [i = 2:ncols + 1] datafile using i:xtic(1) title columnheader(i)
