set terminal pngcairo size 1400,800
set output 'bench/results/lut-frontier/frontier.png'
set title 'MNIST: test accuracy against LUTs after synth -lut 6'
set xlabel 'LUTs (6-input, log scale)'
set logscale x
set xtics (1000, 2000, 3000, 5000, 7000, 10000, 20000, 30000, 50000)
set ylabel 'test accuracy (%)'
set key top right
set offsets graph 0.08, graph 0.22, graph 0.15, graph 0.15
set grid
# The target of the frontier: 98.0% with at most 5,000 LUTs, the whole design counted.
set arrow from 5000, graph 0 to 5000, graph 1 nohead dt 2 lc rgb 'gray40'
set arrow from graph 0, first 98.0 to graph 1, first 98.0 nohead dt 2 lc rgb 'gray40'
set label 'target: >= 98.0%, <= 5,000 LUTs' at 5050, graph 0.05 tc rgb 'gray40'
plot 'bench/results/lut-frontier/frontier.dat' using 3:2 with points pt 7 ps 1.5 title 'lutforge, whole design (8-bit pixels in)', \
     'bench/results/lut-frontier/frontier.dat' using 4:2 with points pt 6 ps 1.5 title 'lutforge, without the encoder', \
     'bench/results/lut-frontier/frontier.dat' using 3:($5 == -1 ? $2 : NaN):1 with labels offset 0,-1 font ',9' notitle, \
     'bench/results/lut-frontier/frontier.dat' using 3:($5 == 1 ? $2 : NaN):1 with labels offset 0,1 font ',9' notitle, \
     'bench/results/lut-frontier/frontier.dat' using 3:($5 == -2 ? $2 : NaN):1 with labels offset 0,-2 font ',9' notitle, \
     'bench/results/lut-frontier/anchors.dat' using 3:2 with points pt 5 ps 1.5 lc rgb '#e69f00' title 'published anchors', \
     'bench/results/lut-frontier/anchors.dat' using 3:2:1 with labels left offset 1,0.6 font ',9' notitle
