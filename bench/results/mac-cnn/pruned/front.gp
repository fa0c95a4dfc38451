# gnuplot bench/results/mac-cnn/pruned/front.gp (from the repository's root): accuracy against
# DSP48E1s and LUTs after synth_xilinx, the 8-bit MAC CNNs and their packed, pruned twins, with the
# MNIST width search's front of an earlier run (../front-mnist.dat, before learned weight scales).
dir = 'bench/results/mac-cnn/pruned/'
do for [ext in 'png svg'] {
  if (ext eq 'png') { set terminal pngcairo size 1200,500 noenhanced } else { set terminal svg size 1200,500 noenhanced }
  set output dir.'front.'.ext
  set multiplot layout 1,2 title 'MAC CNN after synth_xilinx: 8-bit against packed and pruned to a quarter of the DSPs'
  set grid
  set key center right
  set offsets graph 0.08, graph 0.08, graph 0.1, graph 0.1
  set ylabel 'test accuracy (%)'
  set xlabel 'DSP48E1'
  plot dir.'front.dat' index 0 using 1:3 with linespoints pt 7 lc 1 title 'mnist', \
       dir.'front.dat' index 1 using 1:3 with linespoints pt 7 lc 2 title 'fashion-mnist', \
       dir.'../front-mnist.dat' using 1:3 with points pt 6 lc rgb 'gray50' title 'mnist: earlier width search, retrained', \
       dir.'front.dat' using 1:3:4 with labels offset 0,-1 font ',8' notitle
  set xlabel 'LUTs'
  plot dir.'front.dat' index 0 using 2:3 with linespoints pt 7 lc 1 title 'mnist', \
       dir.'front.dat' index 1 using 2:3 with linespoints pt 7 lc 2 title 'fashion-mnist', \
       dir.'../front-mnist.dat' using 2:3 with points pt 6 lc rgb 'gray50' title 'mnist: earlier width search, retrained', \
       dir.'front.dat' using 2:3:4 with labels offset 0,-1 font ',8' notitle
  unset multiplot
}
