set terminal pngcairo size 1400,800
set output 'bench/results/lut-frontier/frontier-fashion-mnist.png'
set title 'fashion-mnist: test accuracy against LUTs after synth -lut 6'
set xlabel 'LUTs (6-input, log scale)'
set logscale x
set xtics (1000, 2000, 3000, 5000, 7000, 10000, 20000, 30000, 50000)
set ylabel 'test accuracy (%)'
set key top right
set offsets graph 0.08, graph 0.22, graph 0.15, graph 0.15
set grid
plot 'bench/results/lut-frontier/frontier-fashion-mnist.dat' using 3:2 with points pt 7 ps 1.5 title 'lutforge, whole design (8-bit pixels in)', \
     'bench/results/lut-frontier/frontier-fashion-mnist.dat' using 4:2 with points pt 6 ps 1.5 title 'lutforge, without the encoder', \
     'bench/results/lut-frontier/frontier-fashion-mnist.dat' using 3:($5 == -1 ? $2 : NaN):1 with labels offset 0,-1 font ',9' notitle, \
     'bench/results/lut-frontier/frontier-fashion-mnist.dat' using 3:($5 == 1 ? $2 : NaN):1 with labels offset 0,1 font ',9' notitle, \
     'bench/results/lut-frontier/frontier-fashion-mnist.dat' using 3:($5 == -2 ? $2 : NaN):1 with labels offset 0,-2 font ',9' notitle
